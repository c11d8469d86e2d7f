import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppActions } from '../queries';
import type { SlashCommand } from '../types';
import '../apps.css';

/**
 * `/` in the composer (web-client.md §6.2): every installed app's slash commands whose name starts
 * with what was typed — command, usage hint, description and app — two apps with one command both
 * listed. ↑/↓ move, Enter or Tab completes, Esc hides; Enter on a command typed in full runs it at
 * once (as Slack's menu does). Returns the menu, the textarea's hooks, and which app was picked: the
 * command goes to that app, not to the one installed first (docs/app-platform.md §7.1).
 */
export function useSlashMenu(text: string, setText: (value: string) => void) {
  const { t } = useTranslation();
  const actions = useAppActions();
  const [active, setActive] = useState(0);
  const [hiddenFor, setHiddenFor] = useState<string | null>(null);
  const listId = useId();
  const typed = /^\/\S*$/.test(text) ? text.toLowerCase() : null;
  // Twins (one command, two apps) stay in the order the server lists them, the order they were
  // installed in: the first highlighted is the app a typed command goes to without a pick.
  const matches = useMemo<SlashCommand[]>(
    () => (typed === null ? [] : (actions.data?.slashCommands ?? []).filter((c) => c.command.toLowerCase().startsWith(typed)).sort((a, b) => a.command.localeCompare(b.command))),
    [typed, actions.data],
  );
  // what was typed changed (another letter, a cleared box after a send): the first match again
  const [activeFor, setActiveFor] = useState(typed);
  if (typed !== activeFor) {
    setActiveFor(typed);
    setActive(0);
  }
  const open = typed !== null && hiddenFor !== text && (matches.length > 0 || actions.isPending);
  const current = Math.min(active, Math.max(0, matches.length - 1));

  // a ref, not state: the Enter that picks a command typed in full sends it in the same keystroke
  const picked = useRef<{ command: string; appId: string } | null>(null);
  const pick = (c: SlashCommand) => {
    picked.current = { command: c.command.toLowerCase(), appId: c.appId };
  };
  const choose = (c: SlashCommand) => {
    pick(c);
    setText(`${c.command} `);
    setActive(0);
  };
  /** The app picked for this text's command, while the text still starts with that command. */
  const pickedAppFor = (body: string): string | undefined => {
    const p = picked.current;
    if (!p) return undefined;
    const typedCommand = /^\/\S+/.exec(body.trim())?.[0]?.toLowerCase();
    return typedCommand === p.command ? p.appId : undefined;
  };

  /** true when the key was the menu's */
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    // Esc hides the menu while it is still loading, too: otherwise the list that arrives after it
    // would open anyway and take the Enter meant to run the command.
    if (e.key === 'Escape') {
      e.preventDefault();
      setHiddenFor(text);
      return true;
    }
    if (matches.length === 0) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((current + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
      return true;
    }
    if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      const c = matches[current]!;
      if (e.key === 'Enter' && c.command.toLowerCase() === typed) {
        // typed in full: the Enter sends it (the composer's), to the app highlighted
        pick(c);
        return false;
      }
      e.preventDefault();
      choose(c);
      return true;
    }
    return false;
  };

  // only while open: the composer's other autocomplete owns these attributes otherwise
  const inputProps = open
    ? {
        role: 'combobox' as const,
        'aria-expanded': true,
        'aria-controls': listId,
        'aria-autocomplete': 'list' as const,
        'aria-activedescendant': matches.length > 0 ? `${listId}-${current}` : undefined,
      }
    : {};

  const menu = open ? (
    <ul className="slash-menu" id={listId} role="listbox" aria-label={t('apps.commands.label')}>
      {actions.isPending ? (
        <li className="slash-menu-note">{t('apps.commands.loading')}</li>
      ) : (
        matches.map((c, i) => (
          <li
            key={`${c.appId}${c.command}`}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === current}
            className={`slash-menu-item${i === current ? ' is-active' : ''}`}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(c)}
          >
            <span className="slash-menu-command">
              {c.command}
              {c.usageHint && <span className="slash-menu-hint"> {hintAfter(c.command, c.usageHint)}</span>}
            </span>
            {c.description && <span className="slash-menu-description">{c.description}</span>}
            <span className="slash-menu-app">{c.appName}</span>
          </li>
        ))
      )}
    </ul>
  ) : null;

  /** After a send: the next command is picked anew (a pick is for the command it was made for). */
  const clearPick = () => {
    picked.current = null;
  };

  return { menu, onKeyDown, inputProps, pickedAppFor, clearPick };
}

/**
 * A usage hint is the text after the command (app-platform.md §3.2), but Pumble's own example writes
 * the command in it too (`"/my_slash_command [first][second]"`), as our examples did: shown after the
 * command, it would read "/poll /poll [question]". The command is left out of the hint when it starts with it.
 */
export function hintAfter(command: string, usageHint: string): string {
  const hint = usageHint.trim();
  if (hint === command) return '';
  return hint.startsWith(`${command} `) ? hint.slice(command.length + 1).trim() : hint;
}
