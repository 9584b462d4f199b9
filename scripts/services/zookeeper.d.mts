export function startZooKeeper(dir: string): Promise<{ port: number; pid: number; connect: string; stop: () => Promise<void> }>;
