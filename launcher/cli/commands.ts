// The command line, as data: every option once (its type, its values, its help), and every command
// with the options and arguments it takes. Parsing, help and the README's list all come from here.
import { PASSABLE_VENDORS } from '../../appliance/gpu-vendors.ts';
import { PLATFORM_ADAPTERS } from '../../appliance/plan.ts';

export interface FlagSpec {
  /** A duration is written as the manifest writes one ("10s", "1.5m", "500ms", or seconds) and read as seconds. */
  type: 'boolean' | 'string' | 'duration';
  /** What the value is, in help (DIR, FILE, NAME|PATH); a choice names its values instead. */
  value?: string;
  values?: readonly string[];
  short?: string;
  help: string;
}

export const FLAGS = {
  headless: { type: 'boolean', help: 'no terminal UI: print what happens, line by line' },
  json: { type: 'boolean', help: 'machine-readable output (for run: one JSON event per line)' },
  appliance: {
    type: 'string',
    value: 'NAME|PATH',
    help: 'the appliance: a shipped one (selftest, ai-way) or an appliance.toml; selftest if not given',
  },
  hold: { type: 'boolean', help: 'keep the appliance up until Ctrl-C, SIGTERM or the end of input, then erase it' },
  timeout: {
    type: 'duration',
    value: 'DURATION',
    help: 'give up if the appliance is not ready by then (10s, 1.5m, 500ms; a bare number is seconds)',
  },
  junit: { type: 'string', value: 'FILE', help: 'also write the run as JUnit XML to FILE (a testcase per step, fact and question)' },
  smoke: {
    type: 'string',
    value: 'FILE.toml',
    help: 'documents to add and questions to ask, with what each answer must contain or match (see the README)',
  },
  bundle: { type: 'string', value: 'DIR', help: 'read a support bundle (its folder or .tar.gz) instead of this computer' },
  image: { type: 'string', values: ['auto', 'fedora', 'alpine'], help: 'the image flavour; auto lets the policy choose' },
  gpu: { type: 'string', values: ['auto', 'none'], help: 'pass a GPU when one can be used, or none' },
  engine: {
    type: 'string',
    values: ['auto', 'podman', 'bolt'],
    help: 'what runs the appliance; auto prefers Bolt when it can enforce the isolation',
  },
  platform: {
    type: 'string',
    values: ['auto', ...PLATFORM_ADAPTERS],
    help: "the way to Linux (qemu: a virtual machine of the appliance's own); auto lets the Plan choose",
  },
  arch: {
    type: 'string',
    values: ['auto', 'x86_64', 'aarch64'],
    help: "the appliance's processor type; another than this computer's runs emulated, in a virtual machine",
  },
  isolation: {
    type: 'string',
    values: ['auto', 'vm'],
    help: 'vm: a virtual machine with a kernel of its own, on any computer; auto: as the appliance asks',
  },
  format: { type: 'string', values: ['json', 'yaml'], help: "the spec's format (YAML unless FILE ends in .json)" },
  output: { type: 'string', value: 'FILE', help: 'write to FILE instead of standard output' },
  vendor: { type: 'string', values: PASSABLE_VENDORS, help: 'whose GPUs (the first vendor with a usable GPU if not given)' },
  model: {
    type: 'string',
    value: 'NAME|PATH',
    help: 'the model: a name from "ai-way models list" or a .gguf file; the appliance\'s default if not given',
  },
  name: { type: 'string', value: 'NAME', help: "the model's name in the store (the file's name without .gguf if not given)" },
  'image-ref': {
    type: 'string',
    value: 'REF',
    help: "the image as the cluster pulls it (a registry reference), instead of the manifest's",
  },
  'runtime-class': {
    type: 'string',
    value: 'NAME',
    help: 'a RuntimeClass for a kernel of its own (kata, gvisor: as the cluster names it)',
  },
  'model-claim': { type: 'string', value: 'NAME', help: 'a PersistentVolumeClaim with model.gguf at its root, mounted read-only' },
  all: { type: 'boolean', help: "every one of this user's sessions" },
  debug: { type: 'boolean', help: 'full error details, with stack traces' },
  help: { type: 'boolean', short: 'h', help: "this command's help" },
  version: { type: 'boolean', short: 'V', help: 'the version of ai-way' },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** Options every command takes. */
export const COMMON_FLAGS: readonly FlagName[] = ['debug', 'help', 'version'];

export interface CommandSpec {
  /** The words that name it: ["doctor"], ["bundle", "collect"]. */
  words: readonly string[];
  /** Its arguments, in order; an optional one is written [NAME]. */
  args: readonly { name: string; optional?: boolean }[];
  flags: readonly FlagName[];
  /** What it does, in a line or two. */
  summary: string;
  /** Options that mean something else here than elsewhere (export kubernetes: --gpu N). */
  own?: Partial<Record<FlagName, FlagSpec>>;
}

/** An option as this command reads it. */
export const flagSpec = (c: CommandSpec | undefined, name: FlagName): FlagSpec => c?.own?.[name] ?? FLAGS[name];

export const COMMANDS = [
  {
    words: ['run'],
    args: [],
    flags: [
      'headless',
      'json',
      'junit',
      'smoke',
      'appliance',
      'model',
      'hold',
      'timeout',
      'image',
      'gpu',
      'engine',
      'platform',
      'arch',
      'isolation',
    ],
    summary: 'start an appliance, prove its isolation from inside, wait until it answers, run its smoke check, and erase everything',
  },
  { words: ['doctor'], args: [], flags: ['json', 'bundle'], summary: 'check this computer (or a support bundle) and explain fixes' },
  {
    words: ['plan'],
    args: [],
    flags: ['json', 'bundle', 'appliance', 'model', 'image', 'gpu', 'engine', 'platform', 'arch', 'isolation'],
    summary: 'show what ai-way would start here, and why: platform, image, engine, GPU, resources',
  },
  {
    words: ['bundle', 'collect'],
    args: [{ name: 'DIR' }],
    flags: [],
    summary: 'write a support bundle of this computer to DIR (a new or empty folder) and DIR.tar.gz',
  },
  { words: ['gpu', 'cdi'], args: [], flags: ['bundle', 'format', 'output', 'vendor'], summary: "write a CDI spec of this computer's GPUs" },
  {
    words: ['export', 'boltfile'],
    args: [],
    flags: ['appliance', 'bundle', 'output', 'image', 'gpu'],
    summary: 'write the appliance, as it would start here, as a Boltfile',
  },
  {
    words: ['export', 'kubernetes'],
    args: [],
    flags: ['appliance', 'output', 'image', 'arch', 'image-ref', 'gpu', 'vendor', 'runtime-class', 'model-claim'],
    summary: 'write the appliance as Kubernetes objects: a smoke-test Job, a Pod to attach to, a NetworkPolicy that denies all traffic',
    own: { gpu: { type: 'string', value: 'N', help: 'GPUs to ask of the device plugin (nvidia.com/gpu, amd.com/gpu); none if not given' } },
  },
  {
    words: ['images'],
    args: [],
    flags: ['json'],
    summary: 'what this ai-way carries: each image and guest, its files, sizes and SHA-256, and what it was built from',
  },
  {
    words: ['models', 'add'],
    args: [{ name: 'FILE.gguf' }],
    flags: ['name'],
    summary: 'check a GGUF model file and copy it into your model store, read-only, by its SHA-256',
  },
  { words: ['models', 'list'], args: [], flags: ['json'], summary: 'the models in your store: name, size, architecture, SHA-256' },
  { words: ['models', 'remove'], args: [{ name: 'NAME' }], flags: [], summary: 'remove a model from your store' },
  {
    words: ['ps'],
    args: [],
    flags: ['json'],
    summary: "this user's sessions: id, appliance, platform, start, launcher pid, and whether the launcher is gone (orphaned)",
  },
  {
    words: ['stop'],
    args: [{ name: 'ID', optional: true }],
    flags: ['all'],
    summary: 'end a session (ID, or a unique start of it) or --all, and erase it: its launcher wipes it, or its leftovers are reaped',
  },
  { words: ['help'], args: [{ name: 'COMMAND', optional: true }], flags: [], summary: "a command's options, or the list of commands" },
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof COMMANDS)[number]['words'][0];

/** Without a command, ai-way runs the default appliance. */
export const DEFAULT_COMMAND: CommandName = 'run';
export const DEFAULT_APPLIANCE = 'selftest';

export const commandName = (c: CommandSpec) => c.words.join(' ');
