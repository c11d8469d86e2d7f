// /poll opens a modal (a question and its options, one per line); submitting posts the poll with a
// vote button per option; each vote edits the message to show the counts. One vote per person:
// clicking another option moves it, clicking yours again takes it back.
import { App, actions, bold, button, input, modal, plainTextInput, richText, text, valueOf } from '@switchboard/sdk';

const app = new App();
const MAX_OPTIONS = 10;

/** message id → {question, options, votes: Map(userId → option index)}. In memory: a restart forgets the votes. */
const polls = new Map();

function pollModal(question = '', error) {
  return modal({
    callbackId: 'poll_create',
    title: 'New poll',
    submit: 'Post poll',
    close: 'Cancel',
    blocks: [
      input('question', 'Question', plainTextInput('question', { initialValue: question, placeholder: 'Where shall we have lunch?', maxLength: 200 })),
      input('options', `Options, one per line (2 to ${MAX_OPTIONS})`, plainTextInput('options', { multiline: true, placeholder: 'Pizza\nSushi\nTacos' }), {
        ...(error && { validationError: error }),
      }),
    ],
  });
}

function render(poll) {
  const counts = poll.options.map((_, i) => [...poll.votes.values()].filter((v) => v === i).length);
  const total = counts.reduce((a, b) => a + b, 0);
  const lines = poll.options.map((o, i) => `${o} — ${counts[i]} vote${counts[i] === 1 ? '' : 's'}${total ? ` (${Math.round((100 * counts[i]) / total)}%)` : ''}`);
  return {
    text: `📊 ${poll.question}\n${lines.join('\n')}`,
    blocks: [
      richText(bold(`📊 ${poll.question}`)),
      ...lines.map((l) => richText(text(l))),
      // One onAction per button: Switchboard finds the clicked element by its onAction.
      actions(...poll.options.map((o, i) => button(`${o} (${counts[i]})`, `poll_vote_${i}`, { value: String(i) }))),
    ],
  };
}

app.command('/poll', (ctx) => ctx.openModal(pollModal(ctx.text.trim())));

app.viewSubmission('poll_create', async (ctx) => {
  const question = String(valueOf(ctx.view.state, 'question', 'question') ?? '').trim();
  const options = [...new Set(String(valueOf(ctx.view.state, 'options', 'options') ?? '').split('\n').map((o) => o.trim()).filter(Boolean))];
  if (options.length < 2 || options.length > MAX_OPTIONS) {
    // The modal stays open with the error under the options (what the person typed is kept).
    return ctx.updateView(pollModal(question, `Give 2 to ${MAX_OPTIONS} different options, one per line (got ${options.length}).`));
  }
  await ctx.ack();
  const poll = { question, options, votes: new Map() };
  const message = await ctx.say(render(poll));
  polls.set(message.id, poll);
});

app.action(/^poll_vote_\d+$/, async (ctx) => {
  const { sourceId, channelId } = ctx.payload;
  const poll = polls.get(sourceId);
  if (!poll) return ctx.ack('This poll was started before the app last restarted: its votes are gone. Start a new one with /poll.');
  const choice = Number(ctx.value);
  if (poll.votes.get(ctx.userId) === choice) poll.votes.delete(ctx.userId);
  else poll.votes.set(ctx.userId, choice);
  await ctx.ack();
  await ctx.client.messages.edit(channelId, sourceId, render(poll));
});

await app.start();
