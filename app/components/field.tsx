import { BlockStack, Text } from "@shopify/polaris";

/** A label over its value, as the detail cards of the tab show them. */
export function Field({ label, value }: { label: string; value: string }) {
  return (
    <BlockStack gap="050">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span">{value}</Text>
    </BlockStack>
  );
}
