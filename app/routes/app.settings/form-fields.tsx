import { Card, Checkbox, Layout, TextField, type TextFieldProps } from "@shopify/polaris";
import { type ReactNode, useState } from "react";

/** One section of the settings page: its title and explanation beside a card with its fields. */
export function Section({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <Layout.AnnotatedSection title={title} description={description}>
      <Card>{children}</Card>
    </Layout.AnnotatedSection>
  );
}

export function NumberField({
  name,
  label,
  value,
  suffix,
  error,
  help,
}: {
  name: string;
  label: string;
  value: number;
  suffix?: string;
  error?: string;
  help?: string;
}) {
  return (
    <FormField
      label={label}
      name={name}
      defaultValue={String(value)}
      suffix={suffix}
      inputMode="numeric"
      autoComplete="off"
      error={error}
      helpText={help}
    />
  );
}

/** A Polaris text field that starts from the saved value and posts with the form (Polaris' own is controlled). */
export function FormField({
  defaultValue,
  ...props
}: Omit<TextFieldProps, "value" | "onChange"> & { defaultValue: string }) {
  const [value, setValue] = useState(defaultValue);
  return <TextField {...props} value={value} onChange={setValue} />;
}

/**
 * A Polaris checkbox that posts "on" like a plain one (Polaris' own is controlled). `explicit` posts "off" when unticked,
 * so the server can tell an unticked box from a form that did not have it (which keeps the stored value).
 */
export function CheckboxField({
  name,
  label,
  checked,
  help,
  explicit = false,
}: {
  name: string;
  label: string;
  checked: boolean;
  help?: string;
  explicit?: boolean;
}) {
  const [value, setValue] = useState(checked);
  return (
    <>
      <Checkbox label={label} checked={value} onChange={setValue} helpText={help} />
      {value || explicit ? <input type="hidden" name={name} value={value ? "on" : "off"} /> : null}
    </>
  );
}
