#!/usr/bin/env node
/*
 * Judges Backstage catalog entity files (catalog-info.yaml) the way the Backstage catalog's
 * default processing does, with the catalog's own model package, @backstage/catalog-model
 * (pinned in package.json), and the YAML parser the catalog reads files with (`yaml`).
 *
 *   node validate.js FILE [FILE ...]
 *
 * Standard output is one JSON object:
 *
 *   {"valid": true|false,
 *    "results": [{"file": "...", "document": 0, "entity": "component:default/x", "errors": []}, ...]}
 *
 * one result per YAML document (an empty document, which the catalog ignores, has none), and one
 * with "document": null for a file that cannot be read or holds no entity at all. Exit status: 0
 * when every result has no errors, 1 when any has, 2 on bad usage, 3 when the script itself fails.
 *
 * What is checked, in the catalog's order (@backstage/plugin-catalog-backend 4.0.5: the
 * parseEntityYaml parser of @backstage/plugin-catalog-node, ProcessorOutputCollector,
 * DefaultCatalogProcessingOrchestrator, CatalogBuilder.buildEntityPolicy and
 * BuiltinKindsEntityProcessor):
 *
 *  1. parsing: every document must parse (YAML merge keys off) and be a mapping;
 *  2. the entity envelope (entityEnvelopeSchemaValidator), as for an emitted entity and again
 *     before processing; the location annotations the catalog adds are added here too;
 *  3. the placeholders $text/$json/$yaml the catalog would resolve are reported, not resolved
 *     (this referee reads no other file), so no entity holding one can pass unjudged;
 *  4. the default entity policies, all of them: SchemaValidEntityPolicy,
 *     DefaultNamespaceEntityPolicy, NoForeignRootFieldsEntityPolicy, FieldFormatEntityPolicy with
 *     the default field validators;
 *  5. the whole entity schema (entitySchemaValidator), then the kind validators of the built-in
 *     kinds (API, Component, Resource, Group, Location, User, System, Domain): one must accept the
 *     entity's apiVersion/kind, and one that recognises it and finds it invalid fails it;
 *  6. every entity reference in a relation field (spec.owner, spec.system, ...) must parse
 *     (parseEntityRef), as BuiltinKindsEntityProcessor does when it emits relations.
 *
 * Like the catalog, a document stops at its first failing step, so it has at most one error.
 * Not checked: whatever needs a running catalog (that referenced entities exist, catalog.rules
 * of an app-config, which allow only Component, API and Location by default for registered
 * locations) and Template, which the scaffolder backend module adds.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const yaml = require('yaml');
const {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  entityEnvelopeSchemaValidator,
  entitySchemaValidator,
  getCompoundEntityRef,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  makeValidator,
  parseEntityRef,
  resourceEntityV1alpha1Validator,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} = require('@backstage/catalog-model');

const validateEntityEnvelope = entityEnvelopeSchemaValidator();
const validateEntity = entitySchemaValidator();

// CatalogBuilder.buildEntityPolicy without custom policies or field format validators.
const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(makeValidator({})),
]);

// BuiltinKindsEntityProcessor.validators, in its order.
const kindValidators = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
];

// The relation fields BuiltinKindsEntityProcessor.postProcessEntity parses, with the default kind
// it parses each with.
const relationFields = {
  Component: {
    owner: 'Group',
    subcomponentOf: 'Component',
    providesApis: 'API',
    consumesApis: 'API',
    dependsOn: undefined,
    dependencyOf: undefined,
    system: 'System',
  },
  API: { owner: 'Group', system: 'System' },
  Resource: { owner: 'Group', dependsOn: undefined, dependencyOf: undefined, system: 'System' },
  User: { memberOf: 'Group' },
  Group: { parent: 'Group', children: 'Group', members: 'User' },
  System: { owner: 'Group', domain: 'Domain' },
  Domain: { owner: 'Group', subdomainOf: 'Domain' },
};

// PlaceholderProcessor's default resolvers.
const placeholderKeys = new Set(['$text', '$json', '$yaml']);

/** An error and its causes, as @backstage/errors words them ("...; caused by ..."). */
function describe(step, error) {
  const parts = [];
  for (let e = error; e; e = e.cause) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    if (!(e instanceof Error)) break;
  }
  return `${step}: ${parts.join('; caused by ')}`;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Paths of the placeholder objects PlaceholderProcessor would resolve. */
function placeholders(data, at = []) {
  if (Array.isArray(data)) {
    return data.flatMap((item, i) => placeholders(item, [...at, i]));
  }
  if (!isPlainObject(data)) {
    return [];
  }
  const keys = Object.keys(data);
  if (keys.some(k => k.startsWith('$'))) {
    return keys.length === 1 && placeholderKeys.has(keys[0]) ? [[...at, keys[0]].join('.')] : [];
  }
  return keys.flatMap(k => placeholders(data[k], [...at, k]));
}

/** The first error the catalog would report for one parsed entity, or undefined. */
async function judge(raw, location) {
  // ProcessorOutputCollector: the emitted entity's envelope, then the location annotations.
  let entity;
  try {
    entity = validateEntityEnvelope(raw);
  } catch (e) {
    return describe('Entity envelope failed validation', e);
  }
  const annotations = entity.metadata.annotations || {};
  if (!isPlainObject(annotations)) {
    return 'metadata.annotations must be a valid object';
  }
  entity = {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...annotations,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        [ANNOTATION_LOCATION]: location,
      },
    },
  };

  // DefaultCatalogProcessingOrchestrator.processSingleEntity.
  try {
    validateEntityEnvelope(entity);
  } catch (e) {
    return describe('Entity envelope failed validation before processing', e);
  }
  const entityRef = stringifyEntityRef(entity);

  // Pre-processing: PlaceholderProcessor would replace these by the files they name.
  const unresolved = placeholders(entity);
  if (unresolved.length) {
    return `Unresolved placeholder at ${unresolved.join(', ')}: the catalog would read the file it names; this referee reads no other file`;
  }

  try {
    entity = await policy.enforce(entity);
  } catch (e) {
    return describe(`Policy check failed for ${entityRef}`, e);
  }
  if (!entity) {
    return `Policy unexpectedly returned no data for ${entityRef}`;
  }

  try {
    validateEntity(entity);
  } catch (e) {
    return describe(`Entity envelope for ${entityRef} failed validation after preprocessing`, e);
  }
  let recognised = false;
  try {
    for (const validator of kindValidators) {
      if (await validator.check(entity)) {
        recognised = true;
        break;
      }
    }
  } catch (e) {
    return describe(
      `Processor BuiltinKindsEntityProcessor threw an error while validating the entity ${entityRef}`,
      e,
    );
  }
  if (!recognised) {
    return `No processor recognized the entity ${entityRef} as valid, possibly caused by a foreign kind or apiVersion`;
  }

  // Post-processing: the relations BuiltinKindsEntityProcessor emits.
  const self = getCompoundEntityRef(entity);
  for (const [field, defaultKind] of Object.entries(relationFields[entity.kind] ?? {})) {
    const targets = entity.spec?.[field];
    if (!targets) continue;
    for (const target of [targets].flat()) {
      try {
        parseEntityRef(target, { defaultKind, defaultNamespace: self.namespace });
      } catch (e) {
        return describe(
          `Processor BuiltinKindsEntityProcessor threw an error while postprocessing (spec.${field})`,
          e,
        );
      }
    }
  }
  return undefined;
}

async function judgeFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return [{ file, document: null, entity: null, errors: [describe('Cannot read file', e)] }];
  }
  const location = `file:${path.resolve(file)}`;
  let documents;
  try {
    documents = yaml.parseAllDocuments(text, { merge: false }).filter(d => d);
  } catch (e) {
    return [{ file, document: null, entity: null, errors: [describe(`Failed to parse YAML at ${location}`, e)] }];
  }
  // parseAllDocuments returns an EmptyStream (no documents) for an empty file.
  documents = Array.from(documents);
  const results = [];
  for (const [index, document] of documents.entries()) {
    if (document.errors?.length) {
      results.push({
        file,
        document: index,
        entity: null,
        errors: document.errors.map(e => `YAML error at ${location}, ${e}`),
      });
      continue;
    }
    const json = document.toJSON();
    if (json === null) {
      continue; // an empty document, e.g. a trailing ---; the catalog ignores it
    }
    if (!isPlainObject(json)) {
      results.push({
        file,
        document: index,
        entity: null,
        errors: [`Expected object at root, got ${Array.isArray(json) ? 'array' : typeof json}`],
      });
      continue;
    }
    // The entity's reference when it has a kind and a name (the envelope check says when not).
    const named = typeof json.kind === 'string' && typeof json.metadata?.name === 'string';
    const entity = named ? stringifyEntityRef(json) : null;
    const error = await judge(json, location);
    results.push({ file, document: index, entity, errors: error ? [error] : [] });
  }
  if (results.length === 0) {
    results.push({
      file,
      document: null,
      entity: null,
      errors: ['No entity in the file: the catalog would register nothing from it'],
    });
  }
  return results;
}

async function main(files) {
  if (files.length === 0) {
    process.stderr.write('usage: node validate.js FILE [FILE ...]\n');
    return 2;
  }
  const results = [];
  for (const file of files) {
    results.push(...(await judgeFile(file)));
  }
  const valid = results.every(r => r.errors.length === 0);
  process.stdout.write(`${JSON.stringify({ valid, results }, null, 2)}\n`);
  return valid ? 0 : 1;
}

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exitCode = 3;
  },
);
