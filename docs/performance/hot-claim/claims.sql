\set ON_ERROR_STOP 1
DO $$
DECLARE
  t0 timestamptz; tc interval := '0'; tw interval := '0'; prev uuid[] := '{}'; cur uuid[]; i int; r uuid; mode text := current_setting('x.mode'); in_flight bool := current_setting('x.in_flight') = 'on';
BEGIN
  FOR i IN 1..290 LOOP
    t0 := clock_timestamp();
    IF mode = 'A' THEN
      WITH due AS (SELECT id, available_at FROM s WHERE state IN (0,1) AND available_at <= 1000000 ORDER BY available_at LIMIT 100 FOR UPDATE SKIP LOCKED),
      claimed AS (UPDATE s t SET lease_owner='w', available_at=2000000+i, version=t.version+1, attempts=t.attempts+1, updated_at=i FROM due WHERE t.id=due.id RETURNING t.id)
      SELECT array_agg(id) INTO cur FROM claimed;
    ELSE
      WITH due AS (SELECT id, available_at FROM s WHERE state IN (0,1) AND available_at <= 1000000 AND lease_until <= 1000000 ORDER BY available_at LIMIT 100 FOR UPDATE SKIP LOCKED),
      claimed AS (UPDATE s t SET lease_owner='w', lease_until=2000000+i, version=t.version+1, attempts=t.attempts+1, updated_at=i FROM due WHERE t.id=due.id RETURNING t.id)
      SELECT array_agg(id) INTO cur FROM claimed;
    END IF;
    tc := tc + (clock_timestamp() - t0);
    t0 := clock_timestamp();
    -- In flight: this batch's results are written after the next claim, so that claim meets them leased.
    FOREACH r IN ARRAY CASE WHEN in_flight THEN prev ELSE cur END LOOP
      UPDATE s SET state=2, reason=null, message_id='<m@x>', lease_owner=null, updated_at=i, completed_at=i, version=version+1 WHERE id=r;
    END LOOP;
    tw := tw + (clock_timestamp() - t0);
    prev := cur;
  END LOOP;
  RAISE NOTICE 'mode % claim ms/batch % write ms/batch %', mode, round((extract(epoch from tc)*1000/290)::numeric,2), round((extract(epoch from tw)*1000/290)::numeric,2);
END $$;
SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname='s';
