#!/bin/sh
# Makes ai-way-macos-arm64 on an Apple Silicon Mac: npm has no single-executable-capable Node for
# darwin-arm64, so the blob built on Linux (`npm run package -- macos-arm64`) is injected into the
# Mac's own Node. Needs Node 22.23.3 exactly (the blob's format follows Node's version; e.g.
# `nvm install 22.23.3`) and Xcode's command-line tools (codesign).
# Usage: sh macos-arm64.sh ai-way-macos-arm64.blob (in the folder that holds ai-way-macos-arm64.app)
set -eu
blob=${1:?usage: sh macos-arm64.sh ai-way-macos-arm64.blob}
[ "$(uname -s)/$(uname -m)" = "Darwin/arm64" ] || { echo "macos-arm64.sh: run this on an Apple Silicon Mac" >&2; exit 2; }
[ "$(node --version)" = "v22.23.3" ] || { echo "macos-arm64.sh: needs Node v22.23.3 (found $(node --version))" >&2; exit 2; }
out=ai-way-macos-arm64
cp "$(command -v node)" "$out"
codesign --remove-signature "$out"
npx --yes postject@1.0.0-alpha.6 "$out" NODE_SEA_BLOB "$blob" \
  --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 --macho-segment-name NODE_SEA
codesign --sign - "$out"   # ad hoc; sign with a Developer ID to hand it to others
shasum -a 256 "$out"
# The .app beside it (made by npm run package) opens Terminal running it.
app=ai-way-macos-arm64.app/Contents/Resources
if [ -d "$app" ]; then cp "$out" "$app/ai-way" && echo "built $out and ai-way-macos-arm64.app"; else echo "built $out"; fi
