import { useLayoutEffect, useRef, useState, type ChangeEvent, type KeyboardEvent, type SyntheticEvent } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { loadDraft, saveDraft } from './drafts';
import { useAutocomplete } from '../mentions/useAutocomplete';
import { useTypingNotifier } from '../typing/typing';
import { startEditing } from '../messages/editing';
import { useMe, usePeople } from '../people/usePeople';
import { useChannels } from '../channels/useChannels';
import { toWire } from '../mentions/composerText';

export interface ComposerBoxOptions {
  /** where the draft is kept (sessionStorage, per channel or per thread) */
  draftKey: string;
  channelId: string;
  /** a thread's root: typing frames say so */
  threadRootId?: string;
  /** the box grows with the text up to this height (px) */
  maxHeight: number;
  /** focus the box when it appears (on devices with a fine pointer, where a keyboard is likely) */
  autoFocus?: boolean;
  /** the person's own newest message here, the one ↑ in an empty box edits */
  lastOwn(qc: QueryClient, meId: string | undefined): { id: string } | undefined;
  /**
   * Enter or the send button, with the trimmed text — mentions as the server takes them (`<@id>`,
   * `<#id>`: the box shows names) — and `setText('')`, which clears the box (and the draft)
   */
  onSubmit(text: string, setText: (value: string) => void): void;
}

/**
 * The text box both composers share (the channel's and a thread's): the draft, growing with the text,
 * @ # : autocomplete, typing frames, Enter sends and Shift+Enter is a new line, ↑ in an empty box
 * edits your last message. Spread `inputProps` on the textarea; a composer with its own key handling
 * (the slash menu) calls it first and then `onKeyDown`.
 */
export function useComposerBox({ draftKey, channelId, threadRootId, maxHeight, autoFocus = false, lastOwn, onSubmit }: ComposerBoxOptions) {
  const [text, setTextState] = useState(() => loadDraft(draftKey));
  const ref = useRef<HTMLTextAreaElement>(null);
  const qc = useQueryClient();
  const meId = useMe().data?.id;
  const typing = useTypingNotifier(channelId, threadRootId);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, maxHeight)}px`;
  }, [text, maxHeight]);

  useLayoutEffect(() => {
    if (autoFocus && window.matchMedia('(pointer: fine)').matches) ref.current?.focus();
  }, [autoFocus]);

  const setText = (value: string) => {
    setTextState(value);
    saveDraft(draftKey, value);
  };
  const auto = useAutocomplete({ text, setText, inputRef: ref });
  const people = usePeople().data;
  const channels = useChannels().data;
  const submit = () => onSubmit(toWire(text.trim(), { people, channels }, auto.picked.current), setText);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (auto.onKeyDown(e)) return;
    if (e.key === 'ArrowUp' && !text && !e.shiftKey && !e.altKey && !e.metaKey && !e.ctrlKey) {
      const last = lastOwn(qc, meId);
      if (last) {
        e.preventDefault();
        startEditing(last.id, e.currentTarget);
      }
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const inputProps = {
    ref,
    className: 'composer-input',
    rows: 1,
    value: text,
    ...auto.aria,
    onChange: (e: ChangeEvent<HTMLTextAreaElement>) => {
      setText(e.target.value);
      auto.track(e.target);
      if (e.target.value) typing();
    },
    onSelect: (e: SyntheticEvent<HTMLTextAreaElement>) => auto.track(e.currentTarget),
    onKeyDown,
  };

  return { text, setText, submit, popup: auto.popup, inputProps, onKeyDown };
}
