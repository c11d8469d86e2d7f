/* Switchboard incoming-webhook script: Prometheus Alertmanager (and Grafana alerting) → a message.
 *
 * Alertmanager's webhook_config POSTs {version: "4", status, receiver, groupLabels, commonLabels,
 * commonAnnotations, externalURL, alerts: [{status, labels, annotations, startsAt, endsAt,
 * generatorURL, fingerprint}]}. Grafana's webhook contact point sends the same shape plus `title`,
 * `message`, and per alert `valueString`, `dashboardURL`, `panelURL`, `silenceURL`.
 *
 * The message: one line for the group ("🔥 [FIRING:2] HighLatency"), then one attachment per alert,
 * red for critical, amber for warnings, green once resolved, with its summary and labels.
 * Runs in Switchboard's script sandbox (docs/integrations.md §9): no require, no timers.
 */
const MAX_ATTACHMENTS = 20;

const isHttp = (u) => typeof u === 'string' && /^https?:\/\//i.test(u);

function colorOf(alert) {
  if (alert.status === 'resolved') return 'good';
  const severity = String((alert.labels && alert.labels.severity) || '').toLowerCase();
  if (severity === 'critical' || severity === 'page' || severity === 'error') return 'danger';
  return 'warning';
}

function when(iso) {
  const d = new Date(iso);
  return isNaN(d.getTime()) || d.getUTCFullYear() < 1970 ? '' : d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function attachmentOf(alert) {
  const labels = alert.labels || {};
  const ann = alert.annotations || {};
  const name = labels.alertname || 'Alert';
  const where = labels.instance || labels.pod || labels.service || labels.job || '';
  const fields = [];
  if (labels.severity) fields.push({ title: 'Severity', value: String(labels.severity), short: true });
  if (labels.instance) fields.push({ title: 'Instance', value: String(labels.instance), short: true });
  if (labels.job) fields.push({ title: 'Job', value: String(labels.job), short: true });
  if (alert.valueString) fields.push({ title: 'Value', value: String(alert.valueString), short: false });
  const started = when(alert.startsAt);
  const ended = alert.status === 'resolved' ? when(alert.endsAt) : '';
  if (started) fields.push({ title: ended ? 'Resolved' : 'Since', value: ended || started, short: true });
  const a = {
    color: colorOf(alert),
    title: `${alert.status === 'resolved' ? '[RESOLVED] ' : ''}${name}${where ? ` on ${where}` : ''}`,
    text: String(ann.description || ann.summary || ann.message || ''),
    fields,
    footer: alert.dashboardURL || alert.panelURL ? 'Grafana' : 'Alertmanager',
  };
  const link = alert.panelURL || alert.dashboardURL || alert.generatorURL;
  if (isHttp(link)) a.title_link = link;
  if (ann.summary && ann.description) a.pretext = String(ann.summary);
  return a;
}

class Script {
  process_incoming_request({ request }) {
    const p = request.content || {};
    if (!Array.isArray(p.alerts)) {
      return { error: { success: false, error: 'Expected an Alertmanager or Grafana webhook payload (no "alerts" array)' } };
    }
    const firing = p.alerts.filter((a) => a.status === 'firing').length;
    const group = (p.groupLabels && p.groupLabels.alertname) || (p.commonLabels && p.commonLabels.alertname) || p.title || 'alerts';
    const status = String(p.status || (firing ? 'firing' : 'resolved'));
    const head =
      status === 'resolved'
        ? `✅ *[RESOLVED${p.alerts.length > 1 ? `:${p.alerts.length}` : ''}]* ${group}`
        : `🔥 *[FIRING:${firing}]* ${group}`;
    const lines = [head];
    const summary = p.commonAnnotations && p.commonAnnotations.summary;
    if (summary) lines.push(String(summary));
    if (isHttp(p.externalURL)) lines.push(`<${p.externalURL}|Open Alertmanager>`);
    const shown = p.alerts.slice(0, MAX_ATTACHMENTS);
    const attachments = shown.map(attachmentOf);
    if (p.alerts.length > shown.length) attachments.push({ color: 'warning', text: `…and ${p.alerts.length - shown.length} more` });
    return { content: { text: lines.join('\n'), attachments } };
  }
}
