-- The members of a segment at a moment: runs the segment's compiled statement (see
-- src/modules/audience/segments.ts). Lets any query select a segment's contacts, e.g.
--   select c.id from contacts c where c.id in (select segment_contact_ids($segment, $at))
CREATE OR REPLACE FUNCTION segment_contact_ids(segment uuid, at timestamptz) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  statement text;
BEGIN
  SELECT s.compiled_sql INTO statement FROM segments s WHERE s.id = segment;
  IF statement IS NULL THEN
    RAISE EXCEPTION 'segment % does not exist', segment USING ERRCODE = 'no_data_found';
  END IF;
  RETURN QUERY EXECUTE statement USING at;
END
$fn$;
