// POST /v1/batches: a batch from a file of up to 10,000 lines (CSV with a header row naming
// paymentId, amount, reason; or JSON Lines of { paymentId, amount, reason }), posted as
// multipart/form-data with the fields `operation` and `file` (and `skipInvalid`), under the
// `Idempotency-Key` header. GET /v1/batches/:id/results.csv: what each line did.
// The body limit is this route's own (a file is bigger than any GraphQL request).
import multipart from "@fastify/multipart";
import { parse } from "csv-parse/sync";
import type { FastifyInstance } from "fastify";
import type { App, Ctx } from "../../app/app.js";
import type { Principal } from "../../auth/principal.js";
import { AppError, ErrorCode, badInput } from "../../platform/errors.js";
import { requestScope } from "../../platform/request-context.js";
import { BatchOperation } from "../../generated/prisma/enums.js";
import { MAX_FILE_LINES, batchScope, createBatch, resultsCsv } from "../../batches/batches.js";
import type { BatchLine } from "../../batches/validation.js";
import { restPrincipal, sendRestError, type RestDeps } from "./rest.js";

const FILE_LIMIT_BYTES = 4 * 1024 * 1024;

function ctxOf(principal: Principal, requestId: string, app: App, scope: string): Ctx {
  if (principal.keyKind === "PUBLISHABLE") throw new AppError(ErrorCode.FORBIDDEN, "A publishable key is for client-side tokenization only", { keyKind: "PUBLISHABLE" });
  if (!principal.scopes.includes(scope)) throw new AppError(ErrorCode.FORBIDDEN, `This needs the scope '${scope}'`, { missingScope: scope });
  return { app, merchantId: principal.merchantId, requestId, actor: principal.actor, caller: { role: principal.role, scopes: principal.scopes } };
}

/** The file's lines: JSON Lines when it starts with `{`, CSV with a header row otherwise. */
export function parseBatchFile(text: string): BatchLine[] {
  const body = text.replace(/^\uFEFF/, "");
  if (body.trimStart().startsWith("{")) {
    return body.split(/\r?\n/).filter((l) => l.trim() !== "").map((l, i) => {
      try {
        const o = JSON.parse(l) as Record<string, unknown>;
        return { paymentId: String(o.paymentId ?? ""), amount: o.amount == null ? null : String(o.amount), reason: o.reason == null ? null : String(o.reason) };
      } catch {
        throw badInput(`Line ${i + 1} is not a JSON object`, "file");
      }
    });
  }
  let records: Record<string, string>[];
  try {
    records = parse(body, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw badInput(`The file is neither JSON Lines nor CSV: ${(err as Error).message}`, "file");
  }
  if (records.length && !("paymentId" in records[0]!)) throw badInput("The CSV header must name the columns paymentId, amount, reason", "file");
  return records.map((r) => ({ paymentId: r.paymentId ?? "", amount: r.amount || null, reason: r.reason || null }));
}

export async function registerBatchRoutes(fastify: FastifyInstance, app: App, deps: RestDeps): Promise<void> {
  await fastify.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: FILE_LIMIT_BYTES, files: 1, fields: 5, fieldSize: 1024 } });
    scope.setErrorHandler((err, req, reply) => {
      const status = (err as { statusCode?: number }).statusCode;
      if (status && status < 500) return sendRestError(app, reply, badInput(`Post multipart/form-data with the fields operation and file (at most ${FILE_LIMIT_BYTES / 1024 / 1024} MB): ${(err as Error).message}`, "file"), String(req.id));
      return sendRestError(app, reply, err, String(req.id));
    });

    scope.post("/v1/batches", async (req, reply) => {
      const requestId = String(req.id);
      void reply.header("x-request-id", requestId);
      return requestScope.run({ requestId, sqlQueries: 0 }, async () => {
        try {
          const principal = await restPrincipal(app, deps, req, reply);
          if (!req.isMultipart()) throw badInput("Post multipart/form-data with the fields operation and file", "file");
          const fields: Record<string, string> = {};
          let text: string | undefined;
          for await (const part of req.parts()) {
            if (part.type === "file") {
              const buffer = await part.toBuffer();
              if (part.file.truncated) throw badInput(`The file is over ${FILE_LIMIT_BYTES / 1024 / 1024} MB`, "file");
              text = buffer.toString("utf8");
            } else fields[part.fieldname] = String(part.value);
          }
          const operation = fields.operation as BatchOperation | undefined;
          if (!operation || !(operation in BatchOperation)) throw badInput("operation must be CAPTURE, REFUND or CANCEL", "operation");
          if (text === undefined) throw badInput("The field file is missing", "file");
          const ctx = ctxOf(principal, requestId, app, batchScope(operation));
          const key = typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : undefined;
          const batch = await createBatch(ctx, { operation, items: parseBatchFile(text), idempotencyKey: key, skipInvalid: fields.skipInvalid === "true" }, MAX_FILE_LINES);
          return reply.code(201).send({ batch: { id: batch.id, operation: batch.operation, status: batch.status, total: batch.total, invalid: batch.invalid } });
        } catch (err) {
          return sendRestError(app, reply, err, requestId);
        }
      });
    });

    scope.get("/v1/batches/:id/results.csv", async (req, reply) => {
      const requestId = String(req.id);
      return requestScope.run({ requestId, sqlQueries: 0 }, async () => {
        try {
          const ctx = ctxOf(await restPrincipal(app, deps, req, reply), requestId, app, "payments:read");
          const csv = await resultsCsv(ctx, String((req.params as { id?: unknown }).id ?? ""));
          return reply.type("text/csv; charset=utf-8").header("content-disposition", "attachment").send(csv);
        } catch (err) {
          return sendRestError(app, reply, err, requestId);
        }
      });
    });
  });
}
