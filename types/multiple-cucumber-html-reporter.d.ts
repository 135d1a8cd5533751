declare module 'multiple-cucumber-html-reporter' {
  export function generate(options: Record<string, unknown>): void;
}
