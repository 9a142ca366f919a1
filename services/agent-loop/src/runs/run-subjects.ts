/** Bus subjects of a run: a cancel request to its owner, and its owner's notice that it ended. */
export const cancelSubject = (runId: string) => `conduit.run.${runId}.cancel`;
export const endedSubject = (runId: string) => `conduit.run.${runId}.ended`;
export const ANY_CANCEL = "conduit.run.*.cancel";

/** The run id in a run subject. */
export const runIdOf = (subject: string) => subject.split(".")[2] ?? "";
