// The module boundaries, enforced (`npm run lint:deps`; scripts/test.mjs runs it before the tests).
// docs/architecture.md explains each rule and shows the module map.
// Paths are those of the JavaScript mirror scripts/lint-deps.mjs cruises: `x.ts` and `x.tsx` are `x.js` there.

/** Seeders: demo data, tests and benchmarks (they write in bulk and may reach a module's tables). */
const SEEDERS = ['/demo\\.[jt]s$', '\\.test\\.[jt]sx?$', '^bench/', '^test/'];
/** What a seeder may use of another module. */
const SEEDER_TARGETS = '^src/modules/[^/]+/(index|contract|schema|demo|test-[^/]*)\\.[jt]s$';
/** A module's public faces: index.ts (services, types, events, jobs) and contract.ts (the API's zod shapes, no server code; the admin imports it too). */
const PUBLIC_FACES = '^src/modules/[^/]+/(index|contract)\\.[jt]s$';
/** The wiring: composes every module's routes and demo seeds. */
const WIRING = ['^src/http/routes\\.[jt]s$', '^src/demo/index\\.[jt]s$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'module-internals',
      comment:
        "A module is used only through its index.ts: another module's service, schema or helpers are its own business (docs/architecture.md).",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/', pathNot: ['/schema\\.[jt]s$', ...SEEDERS] },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', PUBLIC_FACES] },
    },
    {
      name: 'schema-foreign-keys',
      comment: "A module's schema.ts may name another module's table (schema.ts) for a foreign key, and nothing else of it.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/schema\\.[jt]s$' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/(index|schema)\\.[jt]s$'] },
    },
    {
      name: 'seeders-in-modules',
      comment: "A module's demo seed and tests may write another module's tables in bulk (schema.ts) and use its demo and test helpers; nothing else of it.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/[^/]*(demo|\\.test)\\.[jt]sx?$' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', SEEDER_TARGETS] },
    },
    {
      name: 'seeders-outside-modules',
      comment: "Tests, their support code and benchmarks use a module through its index.ts, or its schema.ts and test helpers to seed data.",
      severity: 'error',
      from: { path: '^(test|bench)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: [SEEDER_TARGETS] },
    },
    {
      name: 'module-internals-from-core',
      comment: "Code outside the modules (wiring, http, cli, demo, tests' support) uses a module only through its index.ts.",
      severity: 'error',
      from: { path: '^(src|test|bench)/', pathNot: ['^src/modules/', ...SEEDERS, ...WIRING] },
      to: { path: '^src/modules/[^/]+/', pathNot: [PUBLIC_FACES] },
    },
    {
      name: 'module-edges-from-wiring',
      comment: "The wiring (src/http/routes.ts, src/demo/index.ts) composes each module's routes and demo seed: those files and index.ts, nothing else.",
      severity: 'error',
      from: { path: WIRING },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/[^/]+/(index|routes|demo|portal-section)\\.[jt]sx?$'] },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included: a cycle hides which part depends on which.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-knows-no-module',
      comment: 'The database and the job machinery are below every module: they import none (the wiring composes them).',
      severity: 'error',
      from: { path: '^src/(db|jobs)/' },
      to: { path: ['^src/modules/', '^src/app\\.[jt]s$', '^src/http/'] },
    },
    {
      name: 'modules-get-narrow-deps',
      comment: "A module's code never sees the whole App: services get their dependencies from src/app.ts, routes declare theirs (`…RouteDeps`, routesFor). Only seeders, fixtures and test helpers may take the App.",
      severity: 'error',
      from: { path: '^src/modules/', pathNot: [...SEEDERS, '/fixtures/', '/test-[^/]*\\.[jt]s$'] },
      to: { path: '^src/app\\.[jt]s$' },
    },
    {
      name: 'services-know-no-http',
      comment: 'Services return data and throw DomainErrors; HTML, status codes and routes live at the edge (routes, pages, portal sections).',
      severity: 'error',
      from: {
        path: '^src/modules/',
        pathNot: ['/routes\\.[jt]sx?$', '/public-routes\\.[jt]sx?$', '/portal-section\\.[jt]sx?$', '/[^/]*-routes\\.[jt]sx?$', '\\.test\\.[jt]sx?$', '/test-[^/]*\\.[jt]s$'],
      },
      to: { path: '^src/http/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^web/admin/dist'] },
    // Type-only imports count: `import type` still ties the two files together (scripts/lint-deps.mjs
    // keeps them in the JavaScript mirror it cruises; see there why a mirror).
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
