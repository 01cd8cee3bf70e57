import { type LoaderFunctionArgs, redirect } from "@remix-run/node";

export async function loader({ request }: LoaderFunctionArgs) {
  // Shopify opens the app at / with ?shop=…&host=…; the demo opens it bare. Both land on the tab.
  const url = new URL(request.url);
  return redirect(`/app${url.search}`);
}
