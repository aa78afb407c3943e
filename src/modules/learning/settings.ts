// What the learning module is configured with (src/app.ts passes it from the config).
export interface LearningSettings {
  publicUrl: string;
  /** the business printed on certificates: its name and brand colour (the brand module's settings) */
  issuer: () => Promise<{ name: string; color: string; timeZone: string }>;
  uploadMaxBytes: number;
}
