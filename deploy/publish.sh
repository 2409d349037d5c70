#!/usr/bin/env bash
# Publishes the three deployables and the models into one folder laid out as deploy/ expects:
#   OUT/cloud-portal, OUT/fog-service, OUT/edge-agent, OUT/models/{age,blazeface}
# usage: deploy/publish.sh [OUT]   (default: artifacts/publish; install to /opt/foglens)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/artifacts/publish}
[[ -f $root/models/blazeface/face_detection_front_128x128_barracuda.onnx ]] || "$root/models/fetch-blazeface.sh"
for app in cloud-portal:FogLens.CloudPortal fog-service:FogLens.FogService edge-agent:FogLens.EdgeAgent; do
  folder=${app%%:*} project=${app##*:}
  echo "publishing $folder"
  dotnet publish "$root/$folder/$project.csproj" -c Release -o "$out/$folder" -nologo -v quiet
done
mkdir -p "$out/models/age/age-v1-cam" "$out/models/blazeface"
cp "$root"/models/age/age-net.{json,onnx,int8.onnx,scales.json,weights} "$root"/models/age/{README.md,metrics.json} "$out/models/age/" # int8: Fog:ModelPrecision=int8
# the shipped model's parent: the portal registers it beside the base so the model history shows both
cp "$root"/models/age/age-v1-cam/age-net.{json,onnx,int8.onnx,scales.json,weights} "$root/models/age/age-v1-cam/metrics.json" "$out/models/age/age-v1-cam/"
cp "$root"/models/blazeface/*.onnx "$root/models/blazeface/README.md" "$out/models/blazeface/"
echo "published to $out"
