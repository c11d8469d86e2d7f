import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Blocks } from '../blocks/Blocks';
import { withEntry, type BlockEnv } from '../blocks/context';
import { textOf, type View, type ViewState } from '../types';
import { describeError } from '../../ui/ErrorNotice';
import { AlertIcon, CloseIcon } from '../../ui/icons';
import { Spinner } from '../blocks/Elements';
import { SubmitError, useCloseView, useSubmitView } from './submit';

/**
 * One modal of the stack: title, blocks whose inputs keep what the person typed (the server's state
 * when the app changes the view, the person's own edits in between), validation errors under their
 * inputs, the app's refusal as a banner, and submit / close.
 */
export function ModalView({ view, banner, top, titleId }: { view: View; banner: string | undefined; top: boolean; titleId: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<ViewState>(view.state ?? { values: {} });
  const [shownVersion, setShownVersion] = useState(view.version);
  const submit = useSubmitView();
  const close = useCloseView();
  const [waiting, setWaiting] = useState(false);
  // this version was submitted: its validationErrors answered values since changed (BlockEnv)
  const [submittedThis, setSubmittedThis] = useState(false);
  const id = useId();

  // A new version from the app: its state is the truth (it carries what was submitted).
  if (view.version !== shownVersion) {
    setShownVersion(view.version);
    setState(view.state ?? { values: {} });
    setWaiting(false);
    setSubmittedThis(false);
    submit.reset();
  }
  // the app refused (view.error): the submit is over
  useEffect(() => {
    if (banner) setWaiting(false);
  }, [banner]);
  // no answer at all: the server's 3 s deadline has long passed
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setWaiting(false), 12_000);
    return () => clearTimeout(timer);
  }, [waiting]);

  const fieldErrors = submit.error instanceof SubmitError ? submit.error.fields : undefined;
  const env = useMemo<BlockEnv>(
    () => ({
      source: { sourceType: 'VIEW', sourceId: view.id, ...(view.channelId && { channelId: view.channelId }) },
      state,
      setEntry: (blockId, onAction, entry) => setState((s) => withEntry(s, blockId, onAction, entry)),
      ...(fieldErrors && { fieldErrors }),
      appErrorsAnswered: submittedThis,
      idPrefix: id,
    }),
    [view.id, view.channelId, state, fieldErrors, submittedThis, id],
  );

  const generalError = submit.error && !(submit.error instanceof SubmitError && Object.keys(submit.error.fields).length > 0) ? describeError(submit.error, t) : undefined;
  const busy = submit.isPending || waiting;

  return (
    <form
      className="app-modal"
      hidden={!top}
      aria-labelledby={titleId}
      onSubmit={(e) => {
        e.preventDefault();
        if (!view.submit || busy) return;
        // once the server took it: a submit refused before the app saw it leaves the app's errors up
        submit.mutate({ view, state }, { onSuccess: () => { setWaiting(true); setSubmittedThis(true); } });
      }}
    >
      <header className="app-modal-header">
        <h2 className="app-modal-title" id={top ? titleId : undefined}>
          {textOf(view.title)}
        </h2>
        <button type="button" className="icon-button" aria-label={t('apps.modal.close')} title={t('apps.modal.close')} onClick={() => close.mutate(view)}>
          <CloseIcon />
        </button>
      </header>
      {(banner || generalError) && (
        <div className="app-modal-banner" role="alert">
          <AlertIcon size={18} />
          <span>{banner || generalError}</span>
        </div>
      )}
      <div className="app-modal-body">
        <Blocks blocks={view.blocks} env={env} />
      </div>
      <footer className="app-modal-footer">
        <button type="button" className="button button-secondary" onClick={() => close.mutate(view)}>
          {textOf(view.close) || t('apps.modal.cancel')}
        </button>
        {view.submit && (
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
            {busy && <Spinner label={t('apps.modal.submitting')} />}
            {textOf(view.submit)}
          </button>
        )}
      </footer>
    </form>
  );
}
