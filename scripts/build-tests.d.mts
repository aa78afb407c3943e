// Types of build-tests.mjs (a plain script, run by scripts/test.mjs before tsc could).
export declare const TEST_BUILD_ROOT: string;
export declare function builtPath(dir: string, file: string): string;
export declare function sourceOf(dir: string, built: string): string;
export declare function buildTests(files: string[]): Promise<{ dir: string; files: string[]; ms: number; remove: () => void }>;
