/** What every page module exports: build into a container, clean up (timers, charts) when left. */
export interface Page {
  readonly title: string;
  /** Stops polling and frees charts; called when the user goes to another page. */
  dispose(): void;
}

export type PageFactory = (root: HTMLElement) => Page;
