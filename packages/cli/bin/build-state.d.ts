export declare const BUILD_STATE: string;
export declare function readBuild(dist: string): { entry: string } | { stale: string };
