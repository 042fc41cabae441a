// Checks deploy/kubernetes/*.yaml (and example/) against the Kubernetes API schemas and against each other.
// Run by deploy/tools/validate.sh, which installs the npm packages it imports into a scratch folder:
//   kubernetes-models  JSON schemas of the Kubernetes API (types, enums, required fields, formats)
//   js-yaml            YAML parser
// Usage: node check-manifests.mjs DEPLOY_DIR
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import * as jsyaml from "js-yaml";

const yaml = jsyaml.default ?? jsyaml;
const deployDir = path.resolve(process.argv[2] ?? ".");
const k8sDir = path.join(deployDir, "kubernetes");
const errors = [];
const fail = (where, msg) => errors.push(`${where}: ${msg}`);

// ------------------------------------------------------------------ load every document
const files = [];
for (const dir of [k8sDir, path.join(k8sDir, "example")]) {
  for (const f of fs.readdirSync(dir).sort()) {
    if (f.endsWith(".yaml") || f.endsWith(".yml")) files.push(path.join(dir, f));
  }
}
const docs = [];
for (const file of files) {
  const rel = path.relative(deployDir, file);
  let loaded;
  try {
    loaded = yaml.loadAll(fs.readFileSync(file, "utf8"));
  } catch (e) {
    fail(rel, `YAML does not parse: ${e.message}`);
    continue;
  }
  loaded.forEach((doc, i) => {
    if (doc != null) docs.push({ file: rel, index: i, doc, where: `${rel}#${i} ${doc.kind}/${doc.metadata?.name}` });
  });
}

// ------------------------------------------------------------------ schema validation
const require = createRequire(import.meta.url);
const schemaDirs = ["kubernetes-models", "@kubernetes-models/apimachinery"].map((pkg) =>
  path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "_schemas"));

// every property name any Kubernetes schema knows: catches misspelled keys, which the schemas
// themselves allow (they do not forbid additional properties)
const vocabulary = new Set();
for (const f of schemaDirs.flatMap((dir) => fs.readdirSync(dir).map((name) => path.join(dir, name)))) {
  if (!f.endsWith(".js")) continue;
  const src = fs.readFileSync(f, "utf8");
  for (const m of src.matchAll(/parentDataProperty:"([^"]+)"/g)) vocabulary.add(m[1]);
  for (const m of src.matchAll(/data\.([A-Za-z_$][A-Za-z0-9_$]*)/g)) vocabulary.add(m[1]);
  for (const m of src.matchAll(/data\["([^"]+)"\]/g)) vocabulary.add(m[1]);
}
// maps whose keys are free-form
const freeForm = new Set(["labels", "annotations", "matchLabels", "data", "stringData", "nodeSelector",
  "requests", "limits"]);
function checkKeys(where, value, trail) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkKeys(where, v, `${trail}[${i}]`));
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!vocabulary.has(k)) fail(where, `unknown field '${k}' at ${trail || "/"}`);
      const free = freeForm.has(k) || (k === "selector" && trail === "/spec" && where.includes("Service/"));
      if (!free) checkKeys(where, v, `${trail}/${k}`);
    }
  }
}

const kinds = {
  "v1/ServiceAccount": "v1/ServiceAccount",
  "v1/Service": "v1/Service",
  "v1/Secret": "v1/Secret",
  "apps/v1/Deployment": "apps/v1/Deployment",
  "policy/v1/PodDisruptionBudget": "policy/v1/PodDisruptionBudget",
  "rbac.authorization.k8s.io/v1/Role": "rbac.authorization.k8s.io/v1/Role",
  "rbac.authorization.k8s.io/v1/RoleBinding": "rbac.authorization.k8s.io/v1/RoleBinding",
};
const byKind = {};
for (const d of docs) {
  const { doc, where } = d;
  if (doc.kind === "Kustomization") {
    for (const r of doc.resources ?? []) {
      if (!fs.existsSync(path.join(k8sDir, r))) fail(where, `resource ${r} does not exist`);
    }
    for (const f of fs.readdirSync(k8sDir)) {
      if (f.endsWith(".yaml") && f !== "kustomization.yaml" && !(doc.resources ?? []).includes(f)) {
        fail(where, `${f} is not listed in resources`);
      }
    }
    continue;
  }
  const key = `${doc.apiVersion}/${doc.kind}`;
  const model = kinds[key];
  if (!model) {
    fail(where, `no schema check for ${key}`);
    continue;
  }
  if (doc.metadata?.namespace) fail(where, "sets a namespace; the manifests are meant to be namespace-free");
  const mod = await import(`kubernetes-models/${model}`);
  const Model = mod[doc.kind] ?? mod.default;
  try {
    new Model(doc).validate();
  } catch (e) {
    fail(where, `schema: ${e.message}`);
  }
  checkKeys(where, doc, "");
  (byKind[doc.kind] ??= []).push(d);
}

// ------------------------------------------------------------------ consistency
const one = (kind, name) => (byKind[kind] ?? []).find((d) => d.doc.metadata?.name === name);
const subset = (a = {}, b = {}) => Object.entries(a).every(([k, v]) => b[k] === v);

const dep = one("Deployment", "tickroom");
if (!dep) {
  fail("kubernetes", "no Deployment named tickroom");
} else {
  const w = dep.where;
  const spec = dep.doc.spec;
  const pod = spec.template.spec;
  const podLabels = spec.template.metadata?.labels ?? {};
  const c = pod.containers.find((x) => x.name === "tickroom") ?? pod.containers[0];
  const portNames = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
  const env = new Map();
  const want = (cond, msg) => cond || fail(w, msg);

  want(spec.replicas === 3, "replicas should be 3");
  want(podLabels.app === "tickroom", "pod label app=tickroom is missing");
  want(subset(spec.selector.matchLabels, podLabels), "selector does not match the pod labels");
  want(spec.strategy?.type === "RollingUpdate", "strategy should be RollingUpdate");
  want(spec.strategy?.rollingUpdate?.maxUnavailable === 0, "maxUnavailable should be 0");
  want(spec.strategy?.rollingUpdate?.maxSurge === 1, "maxSurge should be 1");
  want(pod.terminationGracePeriodSeconds >= 30, "terminationGracePeriodSeconds should leave time for a graceful leave");
  for (const [name, port] of [["game", 8000], ["http", 8080], ["remoting", 25520], ["management", 8558]]) {
    want(portNames.get(name) === port, `container port ${name} should be ${port}`);
  }
  for (const e of c.env ?? []) {
    if (env.has(e.name)) fail(w, `env ${e.name} is set twice`);
    for (const m of String(e.value ?? "").matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
      want(env.has(m[1]), `env ${e.name} refers to $(${m[1]}), which is not defined before it`);
    }
    env.set(e.name, e);
  }
  const val = (n) => env.get(n)?.value;
  want(val("CLUSTER_FORMATION") === "bootstrap", "CLUSTER_FORMATION should be bootstrap");
  want(env.get("CLUSTER_HOST")?.valueFrom?.fieldRef?.fieldPath === "status.podIP", "CLUSTER_HOST should come from status.podIP");
  want(val("REQUIRED_CONTACT_POINT_NR") === "2", "REQUIRED_CONTACT_POINT_NR should be 2");
  want(Number(val("REQUIRED_CONTACT_POINT_NR")) <= spec.replicas, "REQUIRED_CONTACT_POINT_NR exceeds replicas");
  const serviceName = val("PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME");
  want(serviceName === "tickroom", "PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME should be tickroom");
  want(podLabels.app === serviceName, "the discovery selector app=<service name> would not match the pod label");
  const portName = val("PEKKO_CLUSTER_BOOTSTRAP_PORT_NAME");
  want(!portName || portNames.has(portName), `PEKKO_CLUSTER_BOOTSTRAP_PORT_NAME ${portName} is not a container port`);
  for (const [n, p] of [["GAME_PORT", "game"], ["HTTP_PORT", "http"], ["CLUSTER_PORT", "remoting"], ["MANAGEMENT_PORT", "management"]]) {
    want(!val(n) || Number(val(n)) === portNames.get(p), `${n} does not match container port ${p}`);
  }
  const sref = env.get("CLUSTER_SECRET")?.valueFrom?.secretKeyRef;
  want(sref, "CLUSTER_SECRET should come from a Secret");
  if (sref) {
    const sec = one("Secret", sref.name);
    want(sec && (sec.doc.stringData?.[sref.key] ?? sec.doc.data?.[sref.key]) !== undefined,
      `CLUSTER_SECRET refers to Secret ${sref.name} key ${sref.key}, which the example Secret lacks`);
  }
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    const p = c[probe]?.httpGet;
    if (!p) continue;
    want(typeof p.port !== "string" || portNames.has(p.port), `${probe} uses unknown port ${p.port}`);
  }
  want(c.readinessProbe?.httpGet?.path === "/health/ready" && c.readinessProbe.httpGet.port === "management",
    "readinessProbe should be /health/ready on management");
  want(c.livenessProbe?.httpGet?.path === "/health/alive" && c.livenessProbe.httpGet.port === "management",
    "livenessProbe should be /health/alive on management");
  want(c.resources?.requests && c.resources?.limits, "resources requests and limits should be set");

  const sa = one("ServiceAccount", pod.serviceAccountName);
  want(sa, `serviceAccountName ${pod.serviceAccountName} has no ServiceAccount`);
  const rb = (byKind.RoleBinding ?? []).find((d) =>
    (d.doc.subjects ?? []).some((s) => s.kind === "ServiceAccount" && s.name === pod.serviceAccountName));
  want(rb, "no RoleBinding binds the ServiceAccount");
  if (rb) {
    const role = rb.doc.roleRef.kind === "Role" && one("Role", rb.doc.roleRef.name);
    want(role, `RoleBinding refers to missing Role ${rb.doc.roleRef.name}`);
    if (role) {
      const ok = ["get", "watch", "list"].every((verb) => role.doc.rules.some((r) =>
        r.apiGroups.includes("") && r.resources.includes("pods") && r.verbs.includes(verb)));
      want(ok, "the Role must allow get, watch and list on pods");
    }
  }

  const svc = one("Service", "tickroom");
  want(svc, "no Service named tickroom");
  if (svc) {
    want(subset(svc.doc.spec.selector, podLabels), "Service selector does not match the pod labels");
    for (const p of svc.doc.spec.ports) {
      want(typeof p.targetPort !== "string" || portNames.has(p.targetPort), `Service port ${p.name} targets unknown port ${p.targetPort}`);
    }
    const ports = svc.doc.spec.ports.map((p) => p.port).sort();
    want(JSON.stringify(ports) === JSON.stringify([8000, 8080]), "Service should expose 8000 and 8080");
  }
  const pdb = (byKind.PodDisruptionBudget ?? [])[0];
  want(pdb, "no PodDisruptionBudget");
  if (pdb) {
    want(subset(pdb.doc.spec.selector.matchLabels, podLabels), "PodDisruptionBudget selector does not match the pod labels");
    want(pdb.doc.spec.maxUnavailable === 1, "PodDisruptionBudget maxUnavailable should be 1");
  }

  // the image exposes what the pod declares
  const dockerfile = path.join(deployDir, "Dockerfile");
  if (fs.existsSync(dockerfile)) {
    const exposed = new Set();
    for (const m of fs.readFileSync(dockerfile, "utf8").matchAll(/^EXPOSE\s+(.+)$/gm)) {
      for (const p of m[1].trim().split(/\s+/)) exposed.add(Number(p.split("/")[0]));
    }
    for (const [name, port] of portNames) want(exposed.has(port), `Dockerfile does not EXPOSE ${port} (${name})`);
    const user = fs.readFileSync(dockerfile, "utf8").match(/^USER\s+(\d+)/m);
    want(user && Number(user[1]) === pod.securityContext?.runAsUser, "runAsUser differs from the Dockerfile's USER");
  }
}

console.log(`checked ${docs.length} documents in ${files.length} files`);
if (errors.length) {
  for (const e of errors) console.error(`ERROR ${e}`);
  process.exit(1);
}
console.log("kubernetes manifests: OK");
