/**
 * Architecture boundaries (DESIGN.md §1, CONVENTIONS.md 13): services talk over HTTP and events
 * only, the web app sees nothing but the contracts, and domain services stay free of HTTP and
 * SQL drivers so their rules read on their own.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-service-to-service',
      comment: 'A service never imports another service; call its HTTP API or consume its events.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'web-imports-only-contracts',
      comment: 'The web app depends on packages/contracts and its own npm dependencies, nothing else of ours.',
      severity: 'error',
      from: { path: '^apps/web/' },
      to: { path: '^(packages/(?!contracts/)|services/|bench/|scripts/)' },
    },
    {
      name: 'contracts-import-nothing-internal',
      comment: 'Contracts are shared by every side, so they depend on no other workspace.',
      severity: 'error',
      from: { path: '^packages/contracts/' },
      to: { path: '^(packages/(?!contracts/)|services/|apps/|bench/)' },
    },
    {
      name: 'platform-not-services',
      comment: 'The platform is below the services; it never reaches up into one.',
      severity: 'error',
      from: { path: '^packages/(platform|testing)/' },
      to: { path: '^(services/|apps/|bench/)' },
    },
    {
      name: 'domain-service-no-framework-or-driver',
      comment: 'A *.service.ts holds the rules; HTTP lives in routes, SQL in repositories, drivers in platform.',
      severity: 'error',
      from: { path: '\\.service\\.ts$' },
      to: { path: 'node_modules/(fastify|@fastify/|pg/|pg-|@electric-sql/|ioredis|amqplib|undici)' },
    },
    {
      name: 'no-circular',
      severity: 'warn',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-test-from-src',
      comment:
        'Production code never imports test code or @aerofly/testing (test helpers: *.test.ts, *.fixture.ts, test/ or testing/ folders).',
      severity: 'error',
      from: {
        path: '^(packages/(platform|contracts)|services/[^/]+/src|apps/web/src)/',
        pathNot: '\\.(test|fixture)\\.tsx?$|/(test|testing)/',
      },
      to: { path: '(\\.(test|fixture)\\.tsx?$|^packages/testing/|/src/testing/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|data|coverage)/' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
