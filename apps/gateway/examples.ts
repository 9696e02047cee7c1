import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAutomationTemplateStore } from '../../db/automation-templates';
import type { HeraldDatabase } from '../../db/database';
import { createTemplateStore } from '../../db/templates';
import type { AutomationDefinition } from '../../domain/automation';
import type { Template } from '../../domain/template';
import type { Logger } from '../common/logger';

type TemplateFile = Omit<Template, 'created' | 'updated'>;
interface AutomationFile {
  id: string;
  name?: string;
  alias?: string;
  status?: 'published' | 'draft';
  automation: AutomationDefinition;
  triggers?: string[];
}

/**
 * Installs the shipped examples (`examples/templates/*.json`, then `examples/automations/*.json`, the same
 * bodies the API takes) into a workspace that does not have them yet, so `npm start` can show ORDER_CONFIRMATION
 * and the Order Completed automation at once. Existing ids are never overwritten: an edited example stays edited.
 */
export async function installExamples(database: HeraldDatabase, dir: string, log: Logger): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const installed: string[] = [];
  const read = <T>(sub: string): T[] => {
    const folder = join(dir, sub);
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => JSON.parse(readFileSync(join(folder, file), 'utf8')) as T);
  };

  const templates = createTemplateStore(database);
  for (const template of read<TemplateFile>('templates')) {
    if (await templates.get(template.id)) continue;
    await templates.put({ ...template, name: template.name ?? template.id });
    installed.push(`template ${template.id}`);
  }
  const automations = createAutomationTemplateStore(database);
  for (const automation of read<AutomationFile>('automations')) {
    if (await automations.get(automation.id)) continue;
    await automations.put({
      id: automation.id,
      alias: automation.alias,
      name: automation.name ?? automation.id,
      status: automation.status ?? 'published',
      definition: automation.automation,
      triggers: automation.triggers ?? [],
    });
    installed.push(`automation ${automation.id}`);
  }
  if (installed.length > 0) log.info({ installed }, 'installed the shipped examples');
  return installed;
}
