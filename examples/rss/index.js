// An RSS-style reader: `/rss` publishes the person's Home with every feed and its latest item, and a
// dynamic menu of feeds (filtered as they type); picking one shows its items on the Home.
// The feeds are local data (feeds.json) so the example runs offline; a real app would fetch and
// parse the feeds on a timer and keep them in its database.
import { readFileSync } from 'node:fs';
import { App, actions, bold, context, divider, dynamicSelect, header, homeView, link, option, richText, text } from '@switchboard/sdk';

const feeds = JSON.parse(readFileSync(new URL('./feeds.json', import.meta.url), 'utf8'));
const app = new App();

function home(selectedId) {
  const selected = feeds.find((f) => f.id === selectedId);
  const blocks = [header('Your feeds')];
  for (const f of feeds) {
    blocks.push(richText(bold(f.title), text(' — '), link(f.url, f.url)));
    blocks.push(context(`${f.items.length} items · latest: ${f.items[0]?.title ?? 'none'}`));
  }
  blocks.push(divider(), actions(dynamicSelect('rss_pick', 'Pick a feed to read…')));
  if (selected) {
    blocks.push(header(selected.title));
    for (const item of selected.items) {
      blocks.push(richText(link(item.link, item.title)));
      blocks.push(context(item.date));
    }
  }
  return homeView({ title: 'RSS Reader', blocks });
}

const findFeed = (q) => {
  const s = q.trim().toLowerCase();
  return feeds.find((f) => f.id === s) ?? feeds.find((f) => f.title.toLowerCase().includes(s));
};

app.command('/rss', async (ctx) => {
  const picked = ctx.text.trim() ? findFeed(ctx.text) : undefined;
  if (ctx.text.trim() && !picked) return ctx.ack(`No feed matches "${ctx.text.trim()}". Feeds: ${feeds.map((f) => f.title).join(', ')}.`);
  await ctx.ack(`Your feeds are on the Home of RSS Reader${picked ? `, with ${picked.title} open` : ''}.`);
  await ctx.publishHome(ctx.userId, home(picked?.id));
});

// The dynamic menu: Switchboard asks as the person types; answer within 3 s.
app.dynamicMenu('rss_pick', (ctx) => {
  const q = ctx.query.toLowerCase();
  return ctx.options(feeds.filter((f) => f.title.toLowerCase().includes(q) || f.id.includes(q)).map((f) => option(f.title, f.id)));
});

// A pick from the menu (on the Home): show that feed.
app.action('rss_pick', async (ctx) => {
  await ctx.ack();
  await ctx.publishHome(ctx.userId, home(String(ctx.value)));
});

await app.start();
