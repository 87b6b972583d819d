// Turns "this uri, now" into a Snapshot: the current version's text, tree, analysis and settings,
// or nothing when the document must be left alone (not a file, unsupported, disabled, excluded,
// too large, NUL bytes: logged once per document and reason).
// Must never await between reading the document and building the snapshot: a snapshot is one version.
import type { Tree } from 'web-tree-sitter';
import type { TelemetrySettings } from '../../../protocol/settings.js';
import { requirementState, type Requirement } from '../config/coverage-rule.js';
import type { FileRequirements } from '../config/requirements.js';
import type { Engine } from '../engine/engine.js';
import type { Analysis } from '../engine/sites.js';
import type { FunctionSite, LanguageId } from '../engine/types.js';
import type { LineIndex } from '../text/positions.js';
import type { DocumentStore } from './documents.js';
import type { Logger } from './logger.js';
import type { RequirementStore } from './requirements.js';
import type { SettingsStore } from './settings.js';
import type { DocumentPlace, Workspace } from './workspace.js';

export interface Snapshot extends DocumentPlace {
  uri: string;
  version: number;
  text: string;
  lang: LanguageId;
  settings: TelemetrySettings;
  /** What this document's functions must carry: the team file and the settings, combined. */
  requirements: FileRequirements;
  analysis: Analysis;
  lines: LineIndex;
  /** Owned by the DocumentStore; valid only until the next await (a newer version deletes it). */
  tree: Tree;
}

export class Analyzer {
  /** uri -> the skip reason last logged for it. */
  private readonly skipsLogged = new Map<string, string>();

  constructor(
    private readonly engine: Engine,
    private readonly documents: DocumentStore,
    private readonly settings: SettingsStore,
    private readonly requirements: RequirementStore,
    private readonly workspace: Workspace,
    private readonly logger: Logger,
  ) {}

  async snapshot(uri: string): Promise<Snapshot | undefined> {
    const place = this.workspace.place(uri);
    const lang = place && this.engine.languageForPath(place.filePath);
    if (!place || !lang || !this.documents.get(uri)) return undefined;
    const [settings] = await Promise.all([this.settings.forDocument(uri), this.engine.ready(lang)]);
    const requirements = await this.requirements.forFile(place, lang, settings);
    // From here on, no await: everything below belongs to one version.
    const document = this.documents.get(uri);
    if (!document) return undefined;
    const text = document.getText();
    const skip = this.workspace.skipReason(place, text, settings);
    if (skip) {
      if (this.skipsLogged.get(uri) !== skip) {
        this.skipsLogged.set(uri, skip);
        this.logger.info(`skipped ${place.relPath}: ${skip}`);
      }
      return undefined;
    }
    return {
      ...place,
      uri,
      version: document.version,
      text,
      lang,
      settings,
      requirements,
      analysis: this.documents.analysis(document, lang),
      lines: this.documents.lines(document, lang),
      tree: this.documents.tree(document, lang),
    };
  }

  forget(uri: string): void {
    this.skipsLogged.delete(uri);
  }
}

/** A function that lacks required telemetry: one diagnostic, one "Add telemetry" action. */
export function lacksTelemetry(site: FunctionSite, requirement: Requirement): boolean {
  return requirementState(site, requirement) === 'missing';
}
