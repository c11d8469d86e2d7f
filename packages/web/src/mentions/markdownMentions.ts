/**
 * A markdown-it inline rule for the platform's mentions: `<@userId>`, `<#channelId>`, `@channel`,
 * `@here`. They become chips with the person's or channel's name, which comes from the render's env
 * (never from the message's text) and is escaped like any text.
 */
import type MarkdownIt from 'markdown-it';

type Md = InstanceType<typeof MarkdownIt>;

export interface MentionEnv {
  userName?(id: string): string | undefined;
  channelName?(id: string): string | undefined;
  meId?: string | undefined;
  unknownUser?: string;
  unknownChannel?: string;
}

const ID = /^<([@#])([A-Za-z0-9_-]{1,64})>/;
const BROADCAST = /^@(channel|here)\b/;

export function mentionsPlugin(md: Md): void {
  md.inline.ruler.before('text', 'mention', (state, silent) => {
    const ch = state.src.charCodeAt(state.pos);
    if (ch !== 0x3c /* < */ && ch !== 0x40 /* @ */) return false;
    const rest = state.src.slice(state.pos);
    const id = ID.exec(rest);
    if (id) {
      if (!silent) {
        const token = state.push('mention', '', 0);
        token.meta = { kind: id[1] === '@' ? 'user' : 'channel', id: id[2] };
      }
      state.pos += id[0].length;
      return true;
    }
    const prev = state.pos > 0 ? state.src[state.pos - 1]! : ' ';
    const all = BROADCAST.exec(rest);
    if (all && !/[\w.]/.test(prev)) {
      if (!silent) {
        const token = state.push('mention', '', 0);
        token.meta = { kind: 'broadcast', id: all[1] };
      }
      state.pos += all[0].length;
      return true;
    }
    return false;
  });

  md.renderer.rules.mention = (tokens, idx, _opts, env) => {
    const { kind, id } = tokens[idx]!.meta as { kind: 'user' | 'channel' | 'broadcast'; id: string };
    const esc = md.utils.escapeHtml;
    const e = env as MentionEnv;
    if (kind === 'broadcast') return `<span class="mention mention-me">@${esc(id)}</span>`;
    if (kind === 'channel') return `<span class="mention mention-channel">#${esc(e.channelName?.(id) ?? e.unknownChannel ?? id)}</span>`;
    const me = e.meId === id ? ' mention-me' : '';
    return `<span class="mention${me}">@${esc(e.userName?.(id) ?? e.unknownUser ?? id)}</span>`;
  };
}

/** Does this text mention the person (by id, or everyone)? */
export function mentionsMe(text: string, meId: string | undefined): boolean {
  return (meId !== undefined && text.includes(`<@${meId}>`)) || /(^|[^\w.])@(channel|here)\b/.test(text);
}
