/** Table shapes as Kysely sees them. JSON columns hold serialised text so SQLite and PostgreSQL store them alike. */
export interface MessagesTable {
  id: string;
  status: string;
  reason: string | null;
  error: string | null;
  enqueued: number;
  sent: number | null;
  delivered: number | null;
  opened: number | null;
  clicked: number | null;
  recipient: string;
  event: string;
  notification: string;
  tags: string | null;
  trace_id: string | null;
  providers: string;
  updated: number;
}

export interface Database {
  messages: MessagesTable;
}
