// The least module (../instructions/apps/least-module.mjs) for ./module-cost.mjs, imported
// with the Nest packages the library imports (./nest-graph.mjs), so that Node's loader walks
// the same module graph for it as for the library and the control.
export * from './nest-graph.mjs';
export { LeastSystemdModule } from '../instructions/apps/least-module.mjs';
