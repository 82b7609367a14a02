// Static checks of the container deployment: docker-compose.yml, Dockerfile and
// .dockerignore are read as files (no Docker engine needed), and each property
// the contract and the deployment rely on is asserted on its own.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const repoFile = (name: string): string => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

// ---------------------------------------------------------------- compose --

type Env = Record<string, string>;

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}

interface Service {
  image?: string;
  profiles?: string[];
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  healthcheck?: Healthcheck;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Array<string | number | { target?: number | string; published?: number | string }>;
  expose?: Array<string | number>;
  networks?: string[] | Record<string, unknown>;
  secrets?: Array<string | { source: string; target?: string }>;
}

interface Compose {
  services: Record<string, Service>;
  networks?: Record<string, { internal?: boolean } | null>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

// `merge: true`: the file shares blocks between services with YAML merge keys (`<<: *app`), as Compose does.
const compose = parse(repoFile('docker-compose.yml'), { merge: true }) as Compose;
const services = compose.services;

const APPS = ['user', 'identity', 'mail', 'gateway'] as const;
const BACKEND = ['postgres', 'user', 'identity', 'nats', 'redis'] as const;
const ALL = ['postgres', 'user', 'identity', 'mail', 'gateway', 'maildev', 'nats', 'redis'] as const;
/** What each profile adds; every other service runs without one. */
const PROFILES: Record<string, string[]> = { maildev: ['dev'], nats: ['nats'], redis: ['nats'] };

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** `environment` as a map, whether written as a map or as a list of KEY=value. */
function env(name: string): Env {
  const raw = service(name).environment ?? {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, value == null ? '' : String(value)]));
}

function networksOf(name: string): string[] {
  const raw = service(name).networks;
  if (raw === undefined) return ['default'];
  return Array.isArray(raw) ? raw : Object.keys(raw);
}

function isInternal(network: string): boolean {
  return compose.networks?.[network]?.internal === true;
}

function dependsOnHealthy(name: string, dependency: string): boolean {
  const raw = service(name).depends_on;
  if (raw === undefined || Array.isArray(raw)) return false; // the short form waits only for "started"
  return raw[dependency]?.condition === 'service_healthy';
}

/** The text Compose makes of `${NAME:-default}` when NAME is unset: the default. */
function withDefaults(text: string): string {
  return text.replace(/\$\{\w+:?-([^}]*)\}/g, (_whole, fallback: string) => fallback);
}

/** [published, target] of one `ports` entry, short ("3000:3000", "127.0.0.1:3000:3000/tcp") or long form. */
function portMapping(entry: string | number | { target?: number | string; published?: number | string }): [string, string] {
  if (typeof entry === 'object') return [String(entry.published ?? ''), String(entry.target ?? '')];
  const parts = withDefaults(String(entry)).replace(/\/(tcp|udp)$/, '').split(':');
  const target = parts[parts.length - 1];
  const published = parts.length > 1 ? parts[parts.length - 2] : '';
  return [published, target];
}

function secretNames(name: string): string[] {
  return (service(name).secrets ?? []).map((secret) => (typeof secret === 'string' ? secret : secret.source));
}

function secretTargetPath(secret: string | { source: string; target?: string }): string {
  if (typeof secret === 'string') return `/run/secrets/${secret}`;
  const target = secret.target ?? secret.source;
  return target.startsWith('/') ? target : `/run/secrets/${target}`;
}

describe('docker-compose.yml', () => {
  it('defines postgres, user, identity, mail, gateway, and maildev, nats and redis', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining([...ALL]));
  });

  it.each(ALL)('gives %s a healthcheck that is not disabled', (name) => {
    const healthcheck = service(name).healthcheck;
    expect(healthcheck).toBeDefined();
    expect(healthcheck?.disable).not.toBe(true);
    const test = healthcheck?.test;
    expect(test).toBeDefined();
    const words = Array.isArray(test) ? test : [String(test)];
    expect(words.length).toBeGreaterThan(0);
    expect(words[0]).not.toBe('NONE');
    expect(words.join(' ').trim()).not.toBe('');
  });

  it('checks postgres with pg_isready', () => {
    const test = service('postgres').healthcheck?.test;
    expect([test].flat().join(' ')).toContain('pg_isready');
  });

  // Under TRANSPORT=nats a service listens on no TCP port of its own; its metrics port answers in both transports.
  it.each([
    ['user', '9101'],
    ['identity', '9102'],
    ['mail', '9103'],
  ])('checks %s through its metrics port (%s), which answers in either transport', (name, port) => {
    const check = [service(name).healthcheck?.test].flat().join(' ');
    expect(check).toMatch(/\bnode\b/);
    expect(check).toContain(`http://127.0.0.1:${port}/metrics`);
  });

  it('checks NATS on its monitoring endpoint, Redis with PING and maildev with its own check', () => {
    expect([service('nats').healthcheck?.test].flat().join(' ')).toContain('/healthz');
    expect(service('nats').command).toEqual(expect.arrayContaining(['--http_port=8222']));
    expect([service('redis').healthcheck?.test].flat().join(' ')).toMatch(/redis-cli ping/);
    expect([service('maildev').healthcheck?.test].flat().join(' ')).toContain('maildev/dist/bin/healthcheck.js');
  });

  it("checks the gateway through its /health endpoint", () => {
    const check = [service('gateway').healthcheck?.test].flat().join(' ');
    expect(check).toContain('/health');
    expect(check).toContain('3000');
  });

  it.each(['user', 'identity'])('starts %s only once postgres is healthy', (name) => {
    expect(dependsOnHealthy(name, 'postgres')).toBe(true);
  });

  it('starts the gateway only once user and identity are healthy', () => {
    expect(dependsOnHealthy('gateway', 'user')).toBe(true);
    expect(dependsOnHealthy('gateway', 'identity')).toBe(true);
  });

  it('publishes a port for the gateway only, and for the dev inbox', () => {
    for (const [name, definition] of Object.entries(services)) {
      if (name === 'gateway' || name === 'maildev') continue;
      expect({ name, ports: definition.ports ?? [] }).toEqual({ name, ports: [] });
    }
  });

  it("publishes maildev's web UI on 127.0.0.1 only, and not its SMTP port", () => {
    const ports = (service('maildev').ports ?? []).map((entry) => withDefaults(String(entry)));
    expect(ports).toEqual(['127.0.0.1:1080:1080']);
  });

  it("never publishes the gateway's metrics port", () => {
    const targets = (service('gateway').ports ?? []).map((entry) => portMapping(entry)[1]);
    expect(targets).toEqual(['3000']);
    expect(env('gateway').GATEWAY_METRICS_PORT ?? '9100').not.toBe('3000');
  });

  it("publishes the gateway's port 3000 as 3000", () => {
    const mappings = (service('gateway').ports ?? []).map(portMapping);
    expect(mappings).toContainEqual(['3000', '3000']);
  });

  it.each(BACKEND)('keeps %s on internal networks only', (name) => {
    const networks = networksOf(name);
    expect(networks.length).toBeGreaterThan(0);
    for (const network of networks) expect({ network, internal: isInternal(network) }).toEqual({ network, internal: true });
  });

  it('puts mail on the internal network and on a way out to SMTP that it shares with maildev and not with the gateway', () => {
    const mail = networksOf('mail');
    expect(mail.some((network) => isInternal(network) && networksOf('user').includes(network))).toBe(true);
    const egress = mail.filter((network) => !isInternal(network));
    expect(egress.length).toBe(1);
    expect(networksOf('gateway')).not.toContain(egress[0]);
    expect(networksOf('maildev')).toEqual(egress);
  });

  it('puts the gateway on an internal network it shares with user and identity, and on a public one', () => {
    const gatewayNetworks = networksOf('gateway');
    const shared = (name: string) => gatewayNetworks.filter((network) => isInternal(network) && networksOf(name).includes(network));
    expect(shared('user').length).toBeGreaterThan(0);
    expect(shared('identity').length).toBeGreaterThan(0);
    expect(gatewayNetworks.some((network) => !isInternal(network))).toBe(true);
  });

  it('builds the four apps from the one Dockerfile, as one image', () => {
    const builds = APPS.map((name) => service(name).build);
    for (const build of builds) {
      expect(build).toBeDefined();
      const context = typeof build === 'string' ? build : build?.context;
      const dockerfile = typeof build === 'string' ? undefined : build?.dockerfile;
      expect(context).toBe('.');
      expect(dockerfile ?? 'Dockerfile').toBe('Dockerfile');
    }
    const images = new Set(APPS.map((name) => service(name).image));
    expect(images.size).toBe(1);
    expect([...images][0]).toBeTruthy();
  });

  it.each([
    ['user', 'dist/apps/user/src/main.js'],
    ['identity', 'dist/apps/identity/src/main.js'],
    ['mail', 'dist/apps/mail/src/main.js'],
    ['gateway', 'dist/apps/gateway/src/main.js'],
  ])('runs %s with its own entry point', (name, entry) => {
    expect([service(name).command].flat().join(' ')).toContain(entry);
  });

  it.each(APPS)('runs %s with NODE_ENV=production', (name) => {
    expect(env(name).NODE_ENV).toBe('production');
  });

  it('makes user, identity and mail listen on every interface of their container', () => {
    expect(env('user').USER_HOST).toBe('0.0.0.0');
    expect(env('identity').IDENTITY_HOST).toBe('0.0.0.0');
    expect(env('mail').MAIL_HOST).toBe('0.0.0.0');
  });

  it("has user's outbox relay reach mail by service name", () => {
    expect(env('user').MAIL_HOST).toBe('mail');
    expect(env('user').MAIL_PORT).toBe('3003');
    expect(env('mail').MAIL_PORT).toBe('3003');
  });

  it('gives mail its SMTP server from a required variable and the base of its links', () => {
    expect(env('mail').SMTP_URL).toMatch(/^\$\{SMTP_URL:\?/);
    expect(withDefaults(env('mail').PUBLIC_URL)).toMatch(/^https?:\/\//);
    for (const name of ['user', 'identity', 'gateway']) expect({ name, smtp: env(name).SMTP_URL }).toEqual({ name, smtp: undefined });
  });

  it('makes the gateway listen on every interface and reach user and identity by service name', () => {
    const gateway = env('gateway');
    expect(gateway.GATEWAY_HOST).toBe('0.0.0.0');
    expect(gateway.USER_HOST).toBe('user');
    expect(gateway.IDENTITY_HOST).toBe('identity');
  });

  it('gives user and identity each its own database URL on the postgres service', () => {
    expect(env('user').USER_DATABASE_URL).toMatch(/^postgres(ql)?:\/\/gatehouse_user:.+@postgres(:5432)?\/users$/);
    expect(env('identity').IDENTITY_DATABASE_URL).toMatch(/^postgres(ql)?:\/\/gatehouse_identity:.+@postgres(:5432)?\/identity$/);
  });

  it('gives identity the JWT signing key as a compose secret read from a file', () => {
    const names = secretNames('identity');
    expect(names.length).toBeGreaterThan(0);
    const file = env('identity').JWT_PRIVATE_KEY_FILE;
    expect(file).toBeTruthy();
    const mounted = (service('identity').secrets ?? []).find((secret) => secretTargetPath(secret) === file);
    expect(mounted).toBeDefined();
    const source = typeof mounted === 'string' ? mounted : mounted?.source;
    expect(compose.secrets?.[source ?? '']?.file).toBeTruthy();
  });

  it('gives the signing key to identity only', () => {
    for (const name of ['postgres', 'user', 'mail', 'gateway', 'maildev', 'nats', 'redis']) {
      expect({ name, secrets: secretNames(name) }).toEqual({ name, secrets: [] });
      expect({ name, key: env(name).JWT_PRIVATE_KEY_FILE }).toEqual({ name, key: undefined });
    }
  });

  it('takes every password from a required variable, never from a default', () => {
    const passwords: Array<[string, string, string]> = [
      ['postgres', 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD'],
      ['postgres', 'USER_DB_PASSWORD', 'USER_DB_PASSWORD'],
      ['postgres', 'IDENTITY_DB_PASSWORD', 'IDENTITY_DB_PASSWORD'],
      ['user', 'USER_DATABASE_URL', 'USER_DB_PASSWORD'],
      ['identity', 'IDENTITY_DATABASE_URL', 'IDENTITY_DB_PASSWORD'],
    ];
    for (const [name, key, variable] of passwords) {
      expect({ name, key, value: env(name)[key] }).toEqual({
        name,
        key,
        value: expect.stringContaining(`\${${variable}:?`),
      });
    }
  });

  it('creates the service roles and databases from an init script mounted into postgres', () => {
    const volumes = (service('postgres') as { volumes?: Array<string | { source?: string; target?: string }> }).volumes ?? [];
    const mounts = volumes.map((volume) => (typeof volume === 'string' ? volume : `${volume.source}:${volume.target}`));
    const init = mounts.find((mount) => mount.includes(':/docker-entrypoint-initdb.d'));
    expect(init).toBeDefined();
    const script = repoFile(init!.split(':')[0].replace(/^\.\//, ''));
    for (const statement of [
      /CREATE ROLE gatehouse_user LOGIN PASSWORD/,
      /CREATE ROLE gatehouse_identity LOGIN PASSWORD/,
      /CREATE DATABASE users OWNER gatehouse_user/,
      /CREATE DATABASE identity OWNER gatehouse_identity/,
      /REVOKE (ALL|CONNECT)\b[^;]* ON DATABASE users FROM PUBLIC/,
      /REVOKE (ALL|CONNECT)\b[^;]* ON DATABASE identity FROM PUBLIC/,
    ]) {
      expect(script).toMatch(statement);
    }
  });
});

describe('docker-compose.yml profiles: dev (maildev) and nats (NATS, Redis)', () => {
  it.each(ALL)('puts %s in the profiles it belongs to, and no other', (name) => {
    expect(service(name).profiles ?? []).toEqual(PROFILES[name] ?? []);
  });

  // Compose refuses to start a service whose dependency is in a profile that is not active.
  it('never makes a service without a profile depend on one with a profile', () => {
    for (const [name, definition] of Object.entries(services)) {
      if (definition.profiles) continue;
      const dependencies = Array.isArray(definition.depends_on) ? definition.depends_on : Object.keys(definition.depends_on ?? {});
      for (const dependency of dependencies) expect({ name, dependency, profiles: service(dependency).profiles }).toEqual({ name, dependency, profiles: undefined });
    }
  });

  it.each(['user', 'identity', 'mail', 'gateway'])('lets TRANSPORT pick how %s talks (tcp by default) and points NATS_URL at nats', (name) => {
    expect(env(name).TRANSPORT).toBe('${TRANSPORT:-tcp}');
    expect(withDefaults(env(name).NATS_URL)).toBe('nats://nats:4222');
  });

  it.each(['user', 'gateway'])('leaves REDIS_URL empty (per-process limits) unless it is set, for %s', (name) => {
    expect(env(name).REDIS_URL).toBe('${REDIS_URL:-}');
  });

  it('runs maildev from the app image, with the development inbox from node_modules', () => {
    expect(service('maildev').image).toBe(service('user').image);
    expect([service('maildev').command].flat().join(' ')).toMatch(/^node node_modules\/maildev\/dist\/bin\/maildev\.js\b/);
    expect(service('maildev').command).toEqual(expect.arrayContaining(['--smtp=1025', '--web=1080']));
  });

  it.each(['nats', 'redis', 'maildev'])('runs %s as a user other than root, read-only and without capabilities', (name) => {
    const definition = service(name);
    if (name !== 'maildev') expect(definition.user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(definition.read_only).toBe(true);
    expect(definition.cap_drop).toEqual(['ALL']);
  });

  it('keeps Redis from writing to disk', () => {
    const command = [service('redis').command].flat().join(' ');
    expect(command).toMatch(/--appendonly no/);
    expect(command).toMatch(/--save\s+(''|""|\s)/);
  });
});

describe('docker-compose.yml under Compose v1 and the compose test', () => {
  // docker-compose 1.29 (what `npm run test:compose` runs) rejects the whole file over a top-level `name:`.
  it('has no top-level name', () => {
    expect(Object.keys(parse(repoFile('docker-compose.yml')) as object)).not.toContain('name');
  });

  // test/compose/run.sh runs docker-compose.yml as it is: its override file may swap images and nothing else.
  it("lets the compose test's override file change only image names, of services that exist", () => {
    const override = parse(repoFile('test/compose/docker-compose.images.yml')) as Record<string, unknown>;
    expect(Object.keys(override)).toEqual(['services']);
    for (const [name, definition] of Object.entries(override.services as Record<string, object>)) {
      expect({ name, exists: name in services }).toEqual({ name, exists: true });
      expect({ name, keys: Object.keys(definition) }).toEqual({ name, keys: ['image'] });
    }
  });

  // A service added to docker-compose.yml needs its line in test/compose/docker-compose.images.yml
  // (the app image for another app), or `npm run test:compose` would try to pull its image.
  it('gives the compose test an image for every service', () => {
    const override = parse(repoFile('test/compose/docker-compose.images.yml')) as { services: Record<string, unknown> };
    expect(Object.keys(override.services).sort()).toEqual(Object.keys(services).sort());
  });
});

// ------------------------------------------------------------- Dockerfile --

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions in order, with comments dropped and `\` continuations joined. */
function dockerInstructions(text: string): Instruction[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue; // comments (and parser directives)
    if (trimmed === '' && pending === '') continue;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `;
      continue;
    }
    const joined = `${pending}${trimmed}`.trim();
    pending = '';
    if (joined) logical.push(joined);
  }
  if (pending.trim()) logical.push(pending.trim());
  return logical.map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });
}

interface Stage {
  name: string;
  instructions: Instruction[];
}

function dockerStages(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const alias = /\bAS\s+(\S+)\s*$/i.exec(instruction.args)?.[1];
      stages.push({ name: alias ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** KEY=value pairs (or the legacy `ENV KEY value`) of an ENV or ARG instruction. */
function assignments(instruction: Instruction): Array<[string, string | undefined]> {
  const args = instruction.args.trim();
  if (instruction.keyword === 'ENV' && !/^[^\s=]+=/.test(args)) {
    const [key, ...value] = args.split(/\s+/);
    return [[key, value.join(' ')]];
  }
  return args
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? [pair, undefined] : [pair.slice(0, at), pair.slice(at + 1)];
    });
}

const dockerfile = dockerInstructions(repoFile('Dockerfile'));
const stages = dockerStages(dockerfile);
const finalStage = stages[stages.length - 1];

describe('Dockerfile', () => {
  it('is multi-stage', () => {
    expect(dockerfile.filter((instruction) => instruction.keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
  });

  it('builds on a Debian (glibc) Node image, where bcrypt has a prebuilt binary', () => {
    // Global ARGs (before the first FROM) may name the base image: resolve their defaults.
    const firstFrom = dockerfile.findIndex((instruction) => instruction.keyword === 'FROM');
    const globalArgs = new Map(
      dockerfile
        .slice(0, firstFrom)
        .filter((instruction) => instruction.keyword === 'ARG')
        .flatMap(assignments)
        .map(([key, value]) => [key, value ?? ''] as const),
    );
    const resolve = (text: string) => text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => globalArgs.get(name) ?? whole);
    const images = dockerfile.filter((instruction) => instruction.keyword === 'FROM').map((from) => resolve(from.args.split(/\s+/)[0]));
    const stageNames = new Set(stages.map((stage) => stage.name));
    const bases = images.filter((image) => !stageNames.has(image));
    expect(bases.length).toBeGreaterThan(0);
    for (const image of bases) {
      expect(image).toMatch(/(^|\/)node:/);
      expect(image).not.toMatch(/alpine/i);
    }
  });

  it('runs the final stage as a user that is not root', () => {
    const users = finalStage.instructions.filter((instruction) => instruction.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].args.split(':')[0].trim();
    expect(user).not.toMatch(/^(root|0)$/);
    expect(user).not.toBe('');
  });

  it('sets NODE_ENV=production in the final stage', () => {
    const envs = finalStage.instructions.filter((instruction) => instruction.keyword === 'ENV').flatMap(assignments);
    expect(envs).toContainEqual(['NODE_ENV', 'production']);
  });

  it("ships node_modules installed with --omit=dev from the same lockfile (npm ci)", () => {
    const prodInstall = (stage: Stage) =>
      stage.instructions.some(
        (instruction) => instruction.keyword === 'RUN' && /\bnpm\s+ci\b/.test(instruction.args) && /--omit[= ]dev\b/.test(instruction.args),
      );
    expect(stages.some(prodInstall)).toBe(true);
    // node_modules in the final image come either from an install in the final stage or from a stage that installed with --omit=dev.
    const copies = finalStage.instructions.filter(
      (instruction) => instruction.keyword === 'COPY' && /node_modules/.test(instruction.args),
    );
    const sources = copies.map((copy) => /--from=(\S+)/.exec(copy.args)?.[1]);
    if (prodInstall(finalStage)) {
      expect(sources.filter((from) => from !== undefined)).toEqual([]);
    } else {
      expect(sources.length).toBeGreaterThan(0);
      for (const from of sources) {
        const stage = stages.find((candidate) => candidate.name === from);
        expect({ from, omitsDev: stage ? prodInstall(stage) : false }).toEqual({ from, omitsDev: true });
      }
    }
  });

  it('bakes in no password, key, secret or token through ENV or ARG', () => {
    for (const instruction of dockerfile.filter((candidate) => candidate.keyword === 'ENV' || candidate.keyword === 'ARG')) {
      for (const [key, value] of assignments(instruction)) {
        if (instruction.keyword === 'ARG' && value === undefined) continue; // a declared build arg with no value
        expect({ key, sensitive: /PASSWORD|KEY|SECRET|TOKEN/i.test(key) }).toEqual({ key, sensitive: false });
      }
    }
  });

  it('copies no secrets or .env files into the image', () => {
    for (const copy of dockerfile.filter((instruction) => instruction.keyword === 'COPY' || instruction.keyword === 'ADD')) {
      expect(copy.args).not.toMatch(/secrets|\.env\b|\.pem\b/);
    }
  });
});

describe('.dockerignore', () => {
  const ignored = repoFile('.dockerignore')
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^\/+/, '').replace(/\/+$/, ''))
    .filter((line) => line && !line.startsWith('#'));

  it.each(['node_modules', 'dist', '.data', '.git', 'bench/results', 'coverage', 'secrets', '.env'])(
    'keeps %s out of the build context',
    (path) => {
      expect(ignored).toContain(path);
    },
  );
});
