// The one place where the UI talks to the Rust side, one module per area. Every command name
// and argument name used by Keyward's front end is in these modules, except the approval
// prompt's and the Approvals screen's, which are in ../approvals.ts (the prompt window imports
// only those). The types of what crosses the boundary are generated from the Rust types
// (../bindings/, written and checked by tests/tests/bindings.rs); the few defined by the desktop
// shell itself are typed next to their commands.
export * from './core';
export * from './vault';
export * from './keys';
export * from './audit';
export * from './signing';
export * from './services';
export * from './settings';
