// Owns what each document requires in the editor: the nearest team file (telemetry.toml) and the
// `telemetry.require`/`rules`/`redact` settings, combined as `configurationPreference` says
// (editorFirst: the settings win; filesystemFirst: the team file wins; editorOnly: no team file).
// A broken team file is shown once (file, line, column) and counts for nothing until it is fixed.
// Must never keep settings beyond the settings objects it is handed (SettingsStore owns them).
import type { TelemetrySettings } from '../../../protocol/settings.js';
import { resolveRequirements, RequirementLayer, type FileRequirements } from '../config/requirements.js';
import { formatProblem, TeamFiles, type TeamFile } from '../config/team-file.js';
import type { LanguageId } from '../engine/types.js';
import type { FilePlace } from '../workspace/file-filter.js';
import type { Logger } from './logger.js';

export class RequirementStore {
  private readonly teamFiles = new TeamFiles();
  /** The settings' own layer, per settings object (they are cached per document) and folder. */
  private readonly editorLayers = new WeakMap<TelemetrySettings, { root: string; layer: RequirementLayer }>();
  /** Team-file problems already shown, so that each one pops up once until files change. */
  private readonly shown = new Set<string>();

  constructor(private readonly logger: Logger) {}

  async forFile(place: FilePlace, lang: LanguageId, settings: TelemetrySettings): Promise<FileRequirements> {
    const preference = settings.configurationPreference;
    const team = preference === 'editorOnly' ? undefined : this.usable(await this.teamFiles.forFile(place.filePath));
    const editor = this.editorLayer(settings, place.root);
    const layers = preference === 'filesystemFirst' ? [editor, team] : [team, editor];
    return resolveRequirements(layers, place.filePath, lang, settings.requireKinds);
  }

  /** Team files (or settings) changed: look again, and show problems again. */
  changed(): void {
    this.teamFiles.clear();
    this.shown.clear();
  }

  /** Team files may have changed unseen (no file watcher): look again, without repeating problems already shown. */
  reread(): void {
    this.teamFiles.clear();
  }

  private usable(team: TeamFile | undefined): RequirementLayer | undefined {
    if (!team?.problems) return team?.layer;
    const text = team.problems.map((problem) => formatProblem(problem)).join('\n');
    if (!this.shown.has(text)) {
      this.shown.add(text);
      const more = team.problems.length > 1 ? ` (and ${team.problems.length - 1} more problems: see the log)` : '';
      this.logger.show('error', `${formatProblem(team.problems[0]!)}${more}. The defaults apply until the file is fixed.`);
      for (const problem of team.problems.slice(1)) this.logger.error(formatProblem(problem));
    }
    return undefined;
  }

  private editorLayer(settings: TelemetrySettings, root: string): RequirementLayer {
    let cached = this.editorLayers.get(settings);
    if (!cached || cached.root !== root) {
      const source = { base: root, require: settings.require, rules: settings.rules, redact: settings.redact };
      cached = { root, layer: new RequirementLayer(source) };
      this.editorLayers.set(settings, cached);
    }
    return cached.layer;
  }
}
