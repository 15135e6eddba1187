-- Run once by the postgres image on an empty data volume: Rasa's tracker store gets its own database
-- (the service center's is POSTGRES_DB). The name matches TRACKER_DB_NAME in deploy/scaled.env.
CREATE DATABASE tracker;
