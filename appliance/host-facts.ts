// The few host facts the appliance layer decides by. The host report satisfies this shape;
// the appliance layer does not import the platforms layer.
export interface HostFacts {
  host: {
    platform: 'linux' | 'wsl2' | 'macos' | 'windows';
    arch: 'x86_64' | 'aarch64' | null;
    memBytes: number | null;
    cpus: number | null;
  };
  gpus: readonly {
    vendor: 'nvidia' | 'amd' | 'intel' | 'apple' | 'other';
    model: string | null;
    usable: boolean;
    pciBusId: string | null;
    uuid: string | null;
  }[];
  tools: { bolt: { found: boolean; version: string | null } };
}
