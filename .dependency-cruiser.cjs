// The module boundaries, enforced (`npm run lint:deps`; scripts/test.mjs runs it before the tests).
// docs/architecture.md explains each rule and shows the module map.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'module-internals',
      comment:
        "A module is used only through its index.ts: another module's service, schema or helpers are its own business (docs/architecture.md).",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.[jt]s$'] },
    },
    {
      name: 'module-internals-from-core',
      comment: "Code outside the modules (wiring, http, cli, demo, tests' support) uses a module only through its index.ts.",
      severity: 'error',
      from: { path: '^(src|test|bench)/', pathNot: ['^src/modules/'] },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/[^/]+/index\\.[jt]s$'] },
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
