-- flights schema: tables come with the flights feature.
SELECT 1;
