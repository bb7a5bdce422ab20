/* Every statement on stdin (a JSON array) through Learning Locker's xAPI validator
 * (@learninglocker/xapi-validation, pinned in package.json): prints [{id, problems}] for the
 * statements it finds fault with, [] when all pass. */
"use strict";
const fs = require("fs");
const path = require("path");
const validate = require(path.join(__dirname, "..", "..", "..", "node_modules", "@learninglocker", "xapi-validation")).default;

const statements = JSON.parse(fs.readFileSync(0, "utf8"));
const faults = [];
for (const statement of statements) {
  const warnings = validate(statement);
  if (warnings.length) {
    faults.push({
      id: statement.id,
      problems: warnings.map((w) => `${w.path.join(".")}: ${w.name}${w.typeName ? " (" + w.typeName + ")" : ""} ${String(JSON.stringify(w.data)).slice(0, 120)}`),
    });
  }
}
process.stdout.write(JSON.stringify(faults));
