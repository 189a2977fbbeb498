"""A staff file with good and bad rows."""


STAFF = ("name,email,department,manager_email,employee_id\n"
         "Анна Петрова,anna@example.com,Продажи,boris@example.com,E1\n"
         "Борис Иванов,boris@example.com,Продажи,,E2\n"
         "Вера Смирнова,vera@example.com,Склад,boris@example.com,\n"
         "Плохой,not-an-email,Склад,,\n"
         "Анна дубль,ANNA@example.com,Склад,,\n"
         "Потерянный,lost@example.com,Склад,nobody@example.com,\n")
