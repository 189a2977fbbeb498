// Validates xAPI statements with Learning Locker's @learninglocker/xapi-validation (a third party's reading
// of the xAPI 1.0.3 specification). Reads a JSON array of statements on standard input and prints a JSON
// array of problems, [{index, id, path, warning, detail}], empty when every statement is valid.
// Used by tests/support/xapi_validator.py; `npm ci` (run by `make install`) installs the package.
"use strict";

const validate = require("@learninglocker/xapi-validation").default;

function describe(warning, index, statement) {
  const detail = {};
  for (const [key, value] of Object.entries(warning)) {
    if (!["data", "path", "message", "name", "stack"].includes(key)) detail[key] = value;
  }
  return {
    index,
    id: statement && statement.id,
    path: (warning.path || []).join("."),
    warning: warning.constructor.name,
    detail,
    value: warning.data === undefined ? null : warning.data,
  };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const statements = JSON.parse(input);
  if (!Array.isArray(statements)) throw new Error("expected a JSON array of statements");
  const problems = [];
  statements.forEach((statement, index) => {
    for (const warning of validate(statement)) problems.push(describe(warning, index, statement));
  });
  process.stdout.write(JSON.stringify(problems));
});
