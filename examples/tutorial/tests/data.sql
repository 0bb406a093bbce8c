-- Two accounts and one post each. The password hashes use few pbkdf2
-- rounds so the tests stay fast; the passwords are "correct horse" (ada)
-- and "battery staple" (grace).
INSERT INTO account (username, password_hash)
VALUES
  ('ada', 'pbkdf2:sha256:1000$Q70wOZCE3KGlo931$9ffb6b757b995882151e4b362f04c73951c2ac200ee9ebb34d50fe302a2dbf23'),
  ('grace', 'pbkdf2:sha256:1000$TdyM48suXD09M0ni$92c705aa495526402ed9a3f2423bf3b92843e19974493d4054f9fa3cfe8fac44');

INSERT INTO post (title, body, author_id, created)
VALUES
  ('Notes on the engine', 'It weaves algebraic patterns.', 1, '2024-03-01 09:30:00'),
  ('Finding bugs', 'There was a moth in relay 70.', 2, '2024-03-02 16:45:00');
