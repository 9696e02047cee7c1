/** The baseline's only activity: does nothing but say when it ran, so the bench can measure start → activity. */
export const baselineActivities = {
  async noop(): Promise<number> {
    return Date.now();
  },
};

export type BaselineActivities = typeof baselineActivities;
