export declare const projectRoot: string;
export declare function serverBundle(opts?: { root?: string; entry?: string; outDir?: string }): Promise<{ file: string; built: boolean; ms: number }>;
