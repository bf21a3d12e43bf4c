DROP TABLE IF EXISTS s;
CREATE TABLE s (id uuid PRIMARY KEY, dedupe_key varchar(850) NOT NULL, flow_id varchar(256) NOT NULL, step_index int NOT NULL,
 customer_id varchar(256) NOT NULL, trigger_event_id varchar(256) NOT NULL, trigger_key varchar(256), trigger_occurred_at bigint NOT NULL,
 event_json text NOT NULL, category varchar(256) NOT NULL, priority int NOT NULL, due_at bigint NOT NULL, available_at bigint NOT NULL,
 state int NOT NULL, attempts int NOT NULL, lease_owner varchar(256), reason text, message_id text, created_at bigint NOT NULL,
 updated_at bigint NOT NULL, completed_at bigint, version int NOT NULL, lease_until bigint NOT NULL DEFAULT 0) WITH (fillfactor = :ff);
CREATE UNIQUE INDEX s_dedupe ON s(dedupe_key);
CREATE INDEX s_claim ON s(available_at) WHERE state IN (0,1);
CREATE INDEX s_cs ON s(customer_id, state);
INSERT INTO s SELECT gen_random_uuid(), 'order-placed:welcome:0:customer-'||g||':order-'||g, 'welcome', 0, 'customer-'||g, 'evt-'||g, null, 0,
  '{"type":"order_placed","customer":{"id":"customer-'||g||'","email":"c'||g||'@example.com","first_name":"Ann"},"order":{"id":"order-'||g||'","total":123.45,"currency":"EUR","lines":[{"sku":"A","name":"Tea","qty":2,"price":10},{"sku":"B","name":"Cup","qty":1,"price":5}]}}',
  'marketing', 0, g, g, 0, 0, null, null, null, 0, 0, null, 0 FROM generate_series(1, 30000) g;
VACUUM ANALYZE s;
