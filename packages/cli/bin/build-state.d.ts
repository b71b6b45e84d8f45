export declare const BUILD_STATE: string;
export declare function staleBuild(dist: string): string | null;
