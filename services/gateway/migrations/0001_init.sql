-- gateway schema
SELECT 1;
