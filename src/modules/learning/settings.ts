// What the learning module is configured with (src/app.ts passes it from the config).
export interface LearningSettings {
  publicUrl: string;
  /** the name printed on certificates */
  issuer: string;
  uploadMaxBytes: number;
}
