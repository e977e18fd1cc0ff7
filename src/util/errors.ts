// Errors for bad input. A user mistake must read as one line naming where the value came from,
// the value, and what was expected; it must never surface as a stack trace.

export class InputError extends Error {
  constructor(
    readonly where: string,
    readonly value: string,
    readonly expected: string,
    detail?: string,
  ) {
    super(`${where}: ${JSON.stringify(value)} is not ${expected}${detail ? ` (${detail})` : ''}`);
    this.name = 'InputError';
    // The message names the input, the expected form and where it came from; a stack trace
    // (which cucumber and Node print for an uncaught error) would only bury it.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Raised when the model is asked for something it does not model; never a silent no-op. */
export class NotModelledError extends Error {
  constructor(what: string) {
    super(`not modelled: ${what}`);
    this.name = 'NotModelledError';
  }
}

/** Raised when a model invariant breaks: a bug in the model, not a requirement failure. */
export class ModelBug extends Error {
  constructor(what: string) {
    super(`model invariant broken: ${what}`);
    this.name = 'ModelBug';
  }
}
