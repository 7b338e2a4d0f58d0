// A text/event-stream parser as the WHATWG HTML spec describes it (fields, data lines joined with \n, a blank line
// dispatches, comments, CR/LF/CRLF line ends), fed with decoded text chunks as they arrive. EventSource would do
// this, but it cannot send headers, cannot say why a request was refused, and does not exist in Node 20.

export class EventStreamParser {
  /** @param {(event: { type: string, data: string, id: string | undefined }) => void} onEvent */
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.data = [];
    this.type = '';
    this.id = undefined;
    this.retry = undefined;
    this.skipLeadingNewline = false;
  }

  /** @param {string} text  the next decoded chunk */
  push(text) {
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i += 1) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      if (c === '\n' && this.skipLeadingNewline && i === start) {
        // The \n of a \r\n split across chunks.
        this.skipLeadingNewline = false;
        start = i + 1;
        continue;
      }
      this.skipLeadingNewline = false;
      this.line(this.buffer.slice(start, i));
      if (c === '\r') {
        if (i + 1 < this.buffer.length) {
          if (this.buffer[i + 1] === '\n') i += 1;
        } else {
          this.skipLeadingNewline = true;
        }
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  line(line) {
    if (line === '') {
      if (this.data.length > 0) this.onEvent({ type: this.type || 'message', data: this.data.join('\n'), id: this.id });
      this.data = [];
      this.type = '';
      return;
    }
    if (line[0] === ':') return; // a comment (heartbeat): the bytes themselves proved the stream alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    switch (field) {
      case 'data': this.data.push(value); break;
      case 'event': this.type = value; break;
      case 'id': if (!value.includes('\0')) this.id = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
      default: break; // unknown fields are ignored
    }
  }
}
