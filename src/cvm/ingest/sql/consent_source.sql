-- A CRM export with one derived 'true'/'false' consent column per channel.
SELECT *, __derived__ FROM __source__
