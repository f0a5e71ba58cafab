#!/bin/sh
# Stub for PRISMA_SCHEMA_ENGINE_BINARY: Prisma's CLI insists on a native schema engine before
# `generate`, and these machines cannot download it. Migrations go through `paygraph migrate`
# (SQL files) and `npm run db:diff` (the WASM schema engine) instead.
echo "paygraph: the native Prisma schema engine is not available here; use 'paygraph migrate' / 'npm run db:diff'" >&2
exit 1
