-- notifications schema
SELECT 1;
